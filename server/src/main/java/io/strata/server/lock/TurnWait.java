package io.strata.server.lock;

import io.strata.api.etcdserverpb.RangeResponse;
import io.strata.api.mvccpb.KeyValue;
import com.google.protobuf.ByteString;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Waits until no key under a queue's prefix was created before a contender's key, that is
 * until the contender is at the head of the queue. Like etcd, it waits for the deletion of the
 * key queued just ahead, then looks again, so each contender follows exactly one key and a
 * release wakes one waiter, not all of them.
 *
 * <p>All of its steps run on the service's executor, one at a time.
 */
final class TurnWait {
  private final MemberAccess member;
  private final KeyEvents events;
  private final Executor executor;
  private final ByteString prefix;
  private final long contenderRevision;
  private final CompletableFuture<Long> turn = new CompletableFuture<>();
  // The deletion this wait follows now; null between steps.
  private KeyDeletion ahead;

  private TurnWait(MemberAccess member, KeyEvents events, Executor executor, ByteString prefix, long contenderRevision) {
    this.member = member;
    this.events = events;
    this.executor = executor;
    this.prefix = prefix;
    this.contenderRevision = contenderRevision;
  }

  /**
   * Starts waiting for the turn of the contender created at {@code contenderRevision}; the
   * result completes with the revision at which the queue was seen with nobody ahead.
   * Must be called on the service's executor.
   */
  static TurnWait start(MemberAccess member, KeyEvents events, Executor executor, ByteString prefix,
      long contenderRevision) {
    TurnWait wait = new TurnWait(member, events, executor, prefix, contenderRevision);
    wait.step();
    return wait;
  }

  CompletableFuture<Long> turn() {
    return turn;
  }

  /** Gives up waiting (the caller went away); the result fails with a CancellationException. */
  void cancel() {
    executor.execute(() -> {
      if (ahead != null) {
        ahead.cancel();
        ahead = null;
      }
      turn.completeExceptionally(new CancellationException("the waiting call was cancelled"));
    });
  }

  private void step() {
    if (turn.isDone()) {
      return;
    }
    KeyDeletion next;
    try {
      RangeResponse queue = member.range(QueueRequests.lastCreatedBefore(prefix, contenderRevision));
      if (queue.getKvsCount() == 0) {
        turn.complete(queue.getHeader().getRevision());
        return;
      }
      KeyValue previous = queue.getKvs(0);
      next = KeyDeletion.start(member, events, previous.getKey(), previous.getCreateRevision());
    } catch (RuntimeException e) {
      turn.completeExceptionally(e);
      return;
    }
    ahead = next;
    next.deleted().thenRunAsync(() -> {
      if (ahead == next) {
        ahead = null;
        step();
      }
    }, executor);
  }
}
