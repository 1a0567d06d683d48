package io.strata.server;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.SessionProtocol;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.strata.server.grpc.ClusterService;
import io.strata.server.grpc.KvService;
import io.strata.server.grpc.LeaseService;
import io.strata.server.grpc.MaintenanceService;
import io.strata.server.lock.ElectionService;
import io.strata.server.lock.LockService;
import io.strata.server.member.LearnerRequestGate;
import io.strata.server.member.LocalMember;
import io.strata.server.member.RequireLeaderInterceptor;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;

/**
 * The client port. One listener per client URL serves gRPC (HTTP/2, cleartext with prior
 * knowledge, as etcd clients connect) and plain HTTP endpoints side by side, the way etcd
 * multiplexes its client port.
 */
final class ClientServer implements AutoCloseable {
  /** etcd lets a gRPC message exceed --max-request-bytes by this much, for the envelope. */
  static final int grpcOverheadBytes = 512 * 1024;
  /** How long a follower waits for the leader to answer a relayed lease call. */
  static final java.time.Duration leaseForwardTimeout = java.time.Duration.ofSeconds(5);

  private final Server server;
  private final LockService locks;
  private final ElectionService elections;
  private final RequireLeaderInterceptor requireLeader;

  ClientServer(List<URI> listenClientUrls, LocalMember member, long maxRequestBytes, int maxTxnOps,
      java.time.Duration electionTimeout) {
    this.locks = new LockService(member);
    this.elections = new ElectionService(member);
    this.requireLeader = new RequireLeaderInterceptor(member, electionTimeout);
    GrpcService grpc = GrpcService.builder()
        .addService(new KvService(member, maxTxnOps))
        .addService(new MaintenanceService(member))
        .addService(new ClusterService(member))
        .addService(new LeaseService(member, leaseForwardTimeout))
        .addService(member.watches().service())
        .addService(locks)
        .addService(elections)
        .maxRequestMessageLength((int) Math.min(Integer.MAX_VALUE, maxRequestBytes + grpcOverheadBytes))
        .intercept(requireLeader, new LearnerRequestGate(member))
        .build();
    ServerBuilder sb = Server.builder();
    for (URI url : listenClientUrls) {
      sb.port(new InetSocketAddress(url.getHost(), url.getPort()), SessionProtocol.HTTP);
    }
    sb.service(grpc)
        // Watches and keep-alive streams live for hours; per-request deadlines are the client's.
        .requestTimeoutMillis(0)
        .maxRequestLength(0)
        .idleTimeoutMillis(0)
        .service("/version", (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.JSON,
            "{\"etcdserver\":\"" + Versions.ETCD_API_VERSION + "\",\"etcdcluster\":\"" + Versions.ETCD_CLUSTER_VERSION + "\"}"))
        .service("/health", (ctx, req) -> health(member))
        .service("/livez", (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT, "ok"))
        .service("/readyz", (ctx, req) -> member.leaderId() != 0
            ? HttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT, "ok")
            : HttpResponse.of(HttpStatus.SERVICE_UNAVAILABLE, MediaType.PLAIN_TEXT, "not ready: no leader"));
    this.server = sb.build();
  }

  private static HttpResponse health(LocalMember member) {
    if (member.leaderId() == 0) {
      return HttpResponse.of(HttpStatus.SERVICE_UNAVAILABLE, MediaType.JSON, "{\"health\":\"false\",\"reason\":\"RAFT NO LEADER\"}");
    }
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON, "{\"health\":\"true\",\"reason\":\"\"}");
  }

  void start() {
    server.start().join();
  }

  @Override
  public void close() {
    server.stop().join();
    requireLeader.close();
    locks.close();
    elections.close();
  }
}
