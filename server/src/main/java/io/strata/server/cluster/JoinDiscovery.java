package io.strata.server.cluster;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.strata.raft.transport.proto.RaftPeerGrpc;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a member started with {@code --initial-cluster-state=existing} and an empty data
 * directory learns who it is. etcd asks the peers for their member list over HTTP; Strata's peer
 * port speaks only the Raft transport, so the joining member listens instead: once
 * {@code member add} is applied, every member dials the new one's peer URLs, and each call
 * carries the caller's cluster id, its member id and the id it means to reach (the transport's
 * {@code strata-*} metadata). Those name this member's id and cluster id exactly as the leader
 * assigned them. Each caller is then matched to an {@code --initial-cluster} entry by
 * recomputing its id: from the peer URLs and the cluster token for the founding members, and
 * from the peer URLs and a recent second for members added at run time (that is how their ids
 * are made); a single caller and entry left over are paired (a member whose URLs were updated).
 * A caller that cannot be matched becomes known with the leader's snapshot, but until then its
 * messages are refused, so the leader must be among the matched ones. The calls are refused, so the callers retry and reach the real transport once it
 * runs on the same port.
 */
public final class JoinDiscovery {
  private static final Logger log = LoggerFactory.getLogger(JoinDiscovery.class);

  static final Metadata.Key<String> clusterIdKey = Metadata.Key.of("strata-cluster-id", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> memberIdKey = Metadata.Key.of("strata-member-id", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> raftToKey = Metadata.Key.of("strata-raft-to", Metadata.ASCII_STRING_MARSHALLER);
  /** How far back an added member's id is searched for: members added within this window match. */
  static final long addedIdSearchSeconds = 7 * 24 * 3600;
  /**
   * After the first caller, how long to keep listening for the others. Members redial a peer
   * every 100 ms or so, so this wait runs out only when a member is down or very slow; it is
   * generous because the leader must be among the callers.
   */
  static final long gatherMillis = 3_000;

  /** What the callers told: this member's id, the cluster's id, and the callers' peer URLs by id. */
  public record Found(long localId, long clusterId, Map<Long, List<String>> peers) {}

  private JoinDiscovery() {}

  /**
   * Listens on {@code listenPeerUrls} until members of the cluster call, at most
   * {@code timeoutMillis}; {@code initialCluster} maps names to peer URLs and includes this
   * member's own entry under {@code localName}.
   */
  public static Found discover(List<URI> listenPeerUrls, String localName, Map<String, List<String>> initialCluster,
      String clusterToken, long nowUnixSeconds, long timeoutMillis) throws Exception {
    Map<Long, long[]> callers = new ConcurrentHashMap<>();
    ServerInterceptor listen = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        long cluster = parse(headers.get(clusterIdKey));
        long from = parse(headers.get(memberIdKey));
        long to = parse(headers.get(raftToKey));
        if (cluster != 0 && from != 0 && to != 0) {
          callers.putIfAbsent(from, new long[] {cluster, to});
        }
        call.close(Status.UNAVAILABLE.withDescription("member is joining the cluster"), new Metadata());
        return new ServerCall.Listener<>() {};
      }
    };
    URI first = listenPeerUrls.get(0);
    NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(first.getHost(), first.getPort()));
    for (URI url : listenPeerUrls.subList(1, listenPeerUrls.size())) {
      builder.addListenAddress(new InetSocketAddress(url.getHost(), url.getPort()));
    }
    Server server = builder.withOption(ChannelOption.SO_REUSEADDR, true)
        .addService(ServerInterceptors.intercept(new RaftPeerGrpc.RaftPeerImplBase() {}, listen))
        .build()
        .start();
    log.info("waiting for the cluster's members to contact this member at {} to learn its member id", listenPeerUrls);
    try {
      long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
      long firstSeen = 0;
      while (System.nanoTime() - deadline < 0) {
        if (!callers.isEmpty() && firstSeen == 0) {
          firstSeen = System.nanoTime();
        }
        boolean everyoneCalled = callers.size() >= initialCluster.size() - 1;
        if (firstSeen != 0 && (everyoneCalled || System.nanoTime() - firstSeen > TimeUnit.MILLISECONDS.toNanos(gatherMillis))) {
          break;
        }
        Thread.sleep(50);
      }
    } finally {
      server.shutdownNow();
      server.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (callers.isEmpty()) {
      throw new IllegalStateException("no member of the cluster contacted this member within " + timeoutMillis
          + " ms; add it first (etcdctl member add) with peer URLs " + initialCluster.get(localName));
    }
    Set<Long> clusterIds = ConcurrentHashMap.newKeySet();
    Set<Long> localIds = ConcurrentHashMap.newKeySet();
    callers.values().forEach(v -> {
      clusterIds.add(v[0]);
      localIds.add(v[1]);
    });
    if (clusterIds.size() != 1 || localIds.size() != 1) {
      throw new IllegalStateException("the members that contacted this member disagree on its identity: cluster ids "
          + hex(clusterIds) + ", member ids " + hex(localIds));
    }
    long localId = localIds.iterator().next();
    long clusterId = clusterIds.iterator().next();
    Map<Long, List<String>> peers = matchPeers(callers.keySet(), localName, initialCluster, clusterToken, nowUnixSeconds);
    Map<String, List<String>> named = new LinkedHashMap<>();
    peers.forEach((id, urls) -> named.put(MemberIds.hex(id), urls));
    log.info("joining cluster {} as member {}; known peers {}", MemberIds.hex(clusterId), MemberIds.hex(localId), named);
    return new Found(localId, clusterId, peers);
  }

  /** Finds each caller's peer URLs among the {@code --initial-cluster} entries; unmatched callers are left out. */
  static Map<Long, List<String>> matchPeers(Set<Long> callerIds, String localName, Map<String, List<String>> initialCluster,
      String clusterToken, long nowUnixSeconds) {
    Map<Long, List<String>> found = new LinkedHashMap<>();
    Map<String, List<String>> unmatched = new HashMap<>();
    for (Map.Entry<String, List<String>> e : initialCluster.entrySet()) {
      if (e.getKey().equals(localName)) {
        continue;
      }
      long founding = MemberIds.memberId(e.getValue(), clusterToken);
      if (callerIds.contains(founding)) {
        found.put(founding, e.getValue());
      } else {
        unmatched.put(e.getKey(), e.getValue());
      }
    }
    Set<Long> remaining = new java.util.HashSet<>(callerIds);
    remaining.removeAll(found.keySet());
    for (long t = nowUnixSeconds + 60; t > nowUnixSeconds - addedIdSearchSeconds && !remaining.isEmpty() && !unmatched.isEmpty(); t--) {
      for (var it = unmatched.entrySet().iterator(); it.hasNext(); ) {
        var e = it.next();
        long id = MemberIds.addedMemberId(e.getValue(), t);
        if (remaining.remove(id)) {
          found.put(id, e.getValue());
          it.remove();
        }
      }
    }
    if (remaining.size() == 1 && unmatched.size() == 1) {
      // A member whose peer URLs were updated no longer has the id its URLs give; when it is
      // the only one left on both sides, it can only be that entry.
      found.put(remaining.iterator().next(), unmatched.values().iterator().next());
      remaining.clear();
    }
    if (!remaining.isEmpty()) {
      log.warn("could not tell the peer URLs of members {}; they become known with the leader's snapshot", hex(remaining));
    }
    return found;
  }

  private static long parse(String value) {
    if (value == null || value.isEmpty() || value.length() > 16) {
      return 0;
    }
    try {
      return Long.parseUnsignedLong(value, 16);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static List<String> hex(Set<Long> ids) {
    return ids.stream().map(MemberIds::hex).toList();
  }
}
