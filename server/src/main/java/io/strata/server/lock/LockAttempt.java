package io.strata.server.lock;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.strata.api.etcdserverpb.RangeResponse;
import io.strata.api.etcdserverpb.ResponseHeader;
import io.strata.api.etcdserverpb.TxnResponse;
import io.strata.api.serverpb.InternalRequest;
import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.mvccpb.KeyValue;
import io.strata.api.v3lockpb.LockRequest;
import io.strata.api.v3lockpb.LockResponse;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Lock call, etcd's mutex: queue a key {@code name/hex(lease)} (or find it queued by an
 * earlier call with the same lease), then wait until it is the oldest key under {@code name/}.
 *
 * <p>Unlike etcd, which notices only when its turn comes, a waiter whose own key is deleted
 * (its lease expired, or someone unlocked it) fails at once with etcd's "session is expired".
 * A waiter whose call is cancelled deletes its key, as etcd's mutex does when its context ends.
 * Everything after the first proposal runs on the service's executor.
 */
final class LockAttempt {
  private static final Logger log = LoggerFactory.getLogger(LockAttempt.class);

  private final MemberAccess member;
  private final KeyEvents events;
  private final Executor executor;
  private final ServerCallStreamObserver<LockResponse> observer;
  private final ByteString prefix;
  private ByteString key;
  private TurnWait turn;
  private KeyDeletion own;
  private boolean cancelled;
  private boolean answered;

  private record Joined(ByteString key, TxnResponse response) {}

  LockAttempt(MemberAccess member, KeyEvents events, Executor executor, ServerCallStreamObserver<LockResponse> observer,
      ByteString name) {
    this.member = member;
    this.events = events;
    this.executor = executor;
    this.observer = observer;
    this.prefix = QueueRequests.prefix(name);
  }

  void start(LockRequest request) {
    observer.setOnCancelHandler(() -> executor.execute(this::onCancelled));
    SessionLease.resolve(member, request.getLease())
        .thenCompose(lease -> {
          ByteString k = QueueRequests.contenderKey(prefix, lease);
          return member.write(InternalRequest.newBuilder().setTxn(QueueRequests.join(prefix, k, ByteString.EMPTY, lease)))
              .thenApply(r -> new Joined(k, (TxnResponse) r));
        })
        .whenCompleteAsync((joined, failure) -> {
          if (failure != null) {
            fail(failure);
          } else {
            joined(joined.key(), joined.response());
          }
        }, executor);
  }

  private void joined(ByteString contender, TxnResponse response) {
    key = contender;
    long myRevision = response.getSucceeded()
        ? response.getHeader().getRevision()
        : response.getResponses(0).getResponseRange().getKvs(0).getCreateRevision();
    List<KeyValue> head = response.getResponses(1).getResponseRange().getKvsList();
    if (head.isEmpty() || head.get(0).getCreateRevision() == myRevision) {
      succeed(member.header(response.getHeader().getRevision()));
      return;
    }
    if (cancelled) {
      answered = true;
      release();
      return;
    }
    own = KeyDeletion.start(member, events, key, myRevision);
    own.deleted().thenRunAsync(this::onOwnKeyDeleted, executor);
    turn = TurnWait.start(member, events, executor, prefix, myRevision);
    turn.turn().whenCompleteAsync((revision, failure) -> onTurn(failure), executor);
  }

  private void onTurn(Throwable failure) {
    own.cancel();
    if (answered) {
      return;
    }
    if (failure != null) {
      answered = true;
      release();
      if (!cancelled) {
        send(null, failure);
      }
      return;
    }
    RangeResponse mine = member.range(QueueRequests.get(key));
    if (mine.getKvsCount() == 0) {
      fail(RecipeException.sessionExpired());
    } else {
      succeed(member.header(mine.getHeader().getRevision()));
    }
  }

  private void onOwnKeyDeleted() {
    if (!answered) {
      fail(RecipeException.sessionExpired());
      turn.cancel();
    }
  }

  private void onCancelled() {
    cancelled = true;
    if (turn != null) {
      turn.cancel();
    }
  }

  private void release() {
    member.write(InternalRequest.newBuilder().setDeleteRange(DeleteRangeRequest.newBuilder().setKey(key)))
        .whenComplete((r, failure) -> {
          if (failure != null) {
            log.debug("could not delete the abandoned lock key {}", key.toStringUtf8(), failure);
          }
        });
  }

  private void succeed(ResponseHeader header) {
    answered = true;
    send(LockResponse.newBuilder().setHeader(header).setKey(key).build(), null);
  }

  private void fail(Throwable failure) {
    answered = true;
    send(null, failure);
  }

  private void send(LockResponse response, Throwable failure) {
    if (observer.isCancelled()) {
      return;
    }
    try {
      if (failure != null) {
        observer.onError(RecipeStatus.of(failure));
      } else {
        observer.onNext(response);
        observer.onCompleted();
      }
    } catch (RuntimeException e) {
      // The call ended between the check and the send; nobody is left to tell.
      log.debug("lock answer not delivered", e);
    }
  }
}
