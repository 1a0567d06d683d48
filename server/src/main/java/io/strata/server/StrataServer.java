package io.strata.server;

import io.strata.server.config.ServerConfig;
import io.strata.server.member.LeaseExpiry;
import io.strata.server.member.LocalMember;
import io.strata.server.watch.WatchOptions;
import io.strata.server.member.MemberBootstrap;
import io.strata.server.member.MemberOptions;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running process: a member and the client port in front of it. */
final class StrataServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StrataServer.class);
  private static final Duration readyTimeout = Duration.ofMinutes(5);

  private final LocalMember member;
  private final ClientServer clients;

  private final LeaseExpiry leaseExpiry;

  private StrataServer(LocalMember member, ClientServer clients, LeaseExpiry leaseExpiry) {
    this.member = member;
    this.clients = clients;
    this.leaseExpiry = leaseExpiry;
  }

  static StrataServer start(ServerConfig config) throws Exception {
    WatchOptions watchOptions = WatchOptions.defaults().withProgressNotifyInterval(config.watchProgressNotifyInterval());
    LocalMember member = MemberBootstrap.start(memberOptions(config), watchOptions);
    // Building the client server is seconds of class loading on a cold JVM; a member that is
    // still joining or catching up does it meanwhile. The port opens only once it is ready.
    ClientServer clients = new ClientServer(config.listenClientUrls(), member, config.maxRequestBytes(), (int) config.maxTxnOps(),
        config.electionTimeout());
    member.awaitReady(readyTimeout);
    LeaseExpiry leaseExpiry = new LeaseExpiry(member);
    leaseExpiry.start();
    clients.start();
    for (URI url : config.listenClientUrls()) {
      log.atInfo()
          .addKeyValue("traffic", "grpc+http")
          .addKeyValue("address", url.getHost() + ":" + url.getPort())
          .log("ready to serve client requests");
    }
    StrataServer server = new StrataServer(member, clients, leaseExpiry);
    member.removedFromCluster().thenRun(() -> {
      // etcd exits cleanly once it learns it was removed: it can never rejoin under this id.
      server.close();
      System.exit(0);
    });
    return server;
  }

  static MemberOptions memberOptions(ServerConfig config) {
    Map<String, List<String>> initialCluster = new LinkedHashMap<>();
    config.initialCluster().forEach((name, urls) -> initialCluster.put(name, urls.stream().map(URI::toString).toList()));
    return new MemberOptions(
        config.name(),
        config.dataDir(),
        config.walDir().orElse(null),
        initialCluster,
        config.initialClusterState() == ServerConfig.ClusterState.NEW,
        config.initialClusterToken(),
        config.advertiseClientUrls().stream().map(URI::toString).toList(),
        config.listenPeerUrls(),
        config.snapshotCount(),
        config.maxRequestBytes(),
        config.heartbeatInterval(),
        config.electionTimeout());
  }

  @Override
  public void close() {
    log.info("stopping server");
    clients.close();
    leaseExpiry.close();
    try {
      member.close();
    } catch (Exception e) {
      log.warn("failed to stop the member cleanly", e);
    }
    log.info("stopped server");
  }
}
