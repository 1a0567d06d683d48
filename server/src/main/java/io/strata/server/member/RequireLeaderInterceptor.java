package io.strata.server.member;

import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * etcd's "require leader" rule: a request whose gRPC metadata carries {@code hasleader: true}
 * (clientv3's {@code WithRequireLeader}, used by watches that must not hang on a partitioned
 * member) fails at once with Unavailable "etcdserver: no leader" while this member knows no
 * leader, instead of waiting. A stream opened that way is also ended with that error once the
 * member has gone without a leader for a few election timeouts (see {@link LeaderBoundStreams}),
 * so that a watch on a cut-off member does not sit silent forever.
 */
public final class RequireLeaderInterceptor implements ServerInterceptor, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RequireLeaderInterceptor.class);
  static final Metadata.Key<String> requireLeaderKey = Metadata.Key.of("hasleader", Metadata.ASCII_STRING_MARSHALLER);
  static final String noLeader = "etcdserver: no leader";

  private final LongSupplier leaderId;
  private final LeaderBoundStreams streams = new LeaderBoundStreams();
  private final ScheduledExecutorService monitor;

  /** Checks {@code member}'s leader once every {@code electionTimeout} on a thread of its own. */
  public RequireLeaderInterceptor(LocalMember member, Duration electionTimeout) {
    this.leaderId = member::leaderId;
    this.monitor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "require-leader");
      t.setDaemon(true);
      return t;
    });
    long periodMillis = Math.max(1, electionTimeout.toMillis());
    monitor.scheduleWithFixedDelay(this::checkLeader, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  /** Without a monitor thread: the caller runs {@link #checkLeader} itself. */
  RequireLeaderInterceptor(LongSupplier leaderId) {
    this.leaderId = leaderId;
    this.monitor = null;
  }

  /** Whether a request with {@code headers} must be refused now. */
  public boolean refuses(Metadata headers) {
    return requiresLeader(headers) && leaderId.getAsLong() == 0;
  }

  private static boolean requiresLeader(Metadata headers) {
    return "true".equals(headers.get(requireLeaderKey));
  }

  /** One periodic look at the leader; ends the streams that require one after enough misses. */
  void checkLeader() {
    try {
      int ended = streams.check(leaderId.getAsLong() != 0);
      if (ended > 0) {
        log.warn("no leader for {} election timeouts: ended {} streams that require a leader",
            LeaderBoundStreams.maxLeaderlessChecks, ended);
      }
    } catch (RuntimeException e) {
      log.warn("require-leader check failed", e);
    }
  }

  /** Streams opened with {@code hasleader: true} that are still open. */
  int leaderBoundStreams() {
    return streams.openCount();
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    if (!requiresLeader(headers)) {
      return next.startCall(call, headers);
    }
    if (leaderId.getAsLong() == 0) {
      call.close(Status.UNAVAILABLE.withDescription(noLeader), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    if (call.getMethodDescriptor().getType() == MethodDescriptor.MethodType.UNARY) {
      return next.startCall(call, headers);
    }
    LeaderBoundCall<Q, R> bound = new LeaderBoundCall<>(call, streams);
    streams.add(bound);
    return bound.listen(next.startCall(bound, headers));
  }

  @Override
  public void close() {
    if (monitor != null) {
      monitor.shutdownNow();
    }
  }
}
