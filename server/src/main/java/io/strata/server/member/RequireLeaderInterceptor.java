package io.strata.server.member;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.function.LongSupplier;

/**
 * etcd's "require leader" rule: a request whose gRPC metadata carries {@code hasleader: true}
 * (clientv3's {@code WithRequireLeader}, used by watches that must not hang on a partitioned
 * member) fails at once with Unavailable "etcdserver: no leader" while this member knows no
 * leader, instead of waiting.
 */
public final class RequireLeaderInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> requireLeaderKey = Metadata.Key.of("hasleader", Metadata.ASCII_STRING_MARSHALLER);
  static final String noLeader = "etcdserver: no leader";

  private final LongSupplier leaderId;

  public RequireLeaderInterceptor(LocalMember member) {
    this(member::leaderId);
  }

  RequireLeaderInterceptor(LongSupplier leaderId) {
    this.leaderId = leaderId;
  }

  /** Whether a request with {@code headers} must be refused now. */
  public boolean refuses(Metadata headers) {
    return "true".equals(headers.get(requireLeaderKey)) && leaderId.getAsLong() == 0;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (refuses(headers)) {
      call.close(Status.UNAVAILABLE.withDescription(noLeader), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }
}
