package io.strata.server.lock;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.etcdserverpb.DeleteRangeResponse;
import io.strata.api.serverpb.InternalRequest;
import io.strata.api.v3lockpb.LockGrpc;
import io.strata.api.v3lockpb.LockRequest;
import io.strata.api.v3lockpb.LockResponse;
import io.strata.api.v3lockpb.UnlockRequest;
import io.strata.api.v3lockpb.UnlockResponse;
import io.strata.server.member.LocalMember;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * etcd's Lock service (v3lockpb): distributed mutexes built from keys, leases and revisions.
 * A lock is a key {@code name/hex(lease)}; the holder is the oldest key under {@code name/}.
 * Waiters follow the deletion of the key ahead of them through one revision listener.
 */
public final class LockService extends LockGrpc.LockImplBase implements AutoCloseable {
  private final MemberAccess member;
  private final ExecutorService executor;
  private final KeyEvents events;

  public LockService(LocalMember member) {
    this(MemberAccess.of(member));
  }

  LockService(MemberAccess member) {
    this.member = member;
    this.executor = WaiterThread.start("lock-waiters");
    this.events = new KeyEvents(executor);
    member.addRevisionListener(events);
  }

  @Override
  public void lock(LockRequest request, StreamObserver<LockResponse> observer) {
    new LockAttempt(member, events, executor, (ServerCallStreamObserver<LockResponse>) observer, request.getName())
        .start(request);
  }

  @Override
  public void unlock(UnlockRequest request, StreamObserver<UnlockResponse> observer) {
    DeleteRangeRequest delete = DeleteRangeRequest.newBuilder().setKey(request.getKey()).build();
    Answers.later(observer, member.write(InternalRequest.newBuilder().setDeleteRange(delete)),
        r -> UnlockResponse.newBuilder()
            .setHeader(member.header(((DeleteRangeResponse) r).getHeader().getRevision()))
            .build());
  }

  /** How many keys and prefixes waiters follow now; for tests and metrics. */
  int followedCount() {
    return events.subscriptionCount();
  }

  /** Completes once the waiter thread has run everything handed to it so far; for tests. */
  CompletableFuture<Void> idle() {
    return CompletableFuture.runAsync(() -> {}, executor);
  }

  /** Stops following keys; calls still waiting are left to end with the server's shutdown. */
  @Override
  public void close() {
    member.removeRevisionListener(events);
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
