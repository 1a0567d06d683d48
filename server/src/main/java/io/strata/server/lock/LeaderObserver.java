package io.strata.server.lock;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.strata.api.etcdserverpb.RangeResponse;
import io.strata.api.mvccpb.Event;
import io.strata.api.mvccpb.KeyValue;
import io.strata.api.v3electionpb.LeaderResponse;
import java.util.List;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Observe stream: sends the election's leader, then every value the leader puts and every
 * new leader, until the caller cancels. It follows etcd's observer: with no leader it takes the
 * first key put under the prefix; once the leader's key is deleted it reads the queue's head
 * again.
 *
 * <p>It subscribes to the whole prefix before its first read, so no event after that read is
 * missed, and skips events at or below the revision of its latest read, which already reflects
 * them. It runs on the service's executor only.
 */
final class LeaderObserver implements KeyEvents.Subscriber {
  private static final Logger log = LoggerFactory.getLogger(LeaderObserver.class);

  private final MemberAccess member;
  private final KeyEvents events;
  private final Executor executor;
  private final ServerCallStreamObserver<LeaderResponse> stream;
  private final ByteString prefix;
  // The key of the leader last sent; null while the election has none.
  private ByteString leaderKey;
  // Invariant: every event at or below this revision is reflected in what was sent.
  private long seenRevision;
  private boolean closed;

  LeaderObserver(MemberAccess member, KeyEvents events, Executor executor,
      ServerCallStreamObserver<LeaderResponse> stream, ByteString name) {
    this.member = member;
    this.events = events;
    this.executor = executor;
    this.stream = stream;
    this.prefix = QueueRequests.prefix(name);
  }

  void start() {
    stream.setOnCancelHandler(() -> executor.execute(this::close));
    // A linearizable barrier first, so that the first leader sent is not older than the call.
    member.linearizableRead(() -> null).whenCompleteAsync((ignored, failure) -> {
      if (closed) {
        return;
      }
      if (failure != null) {
        fail(failure);
        return;
      }
      events.subscribePrefix(prefix, this);
      seek();
    }, executor);
  }

  @Override
  public void onEvents(long revision, List<Event> prefixEvents) {
    if (closed || revision <= seenRevision) {
      return;
    }
    seenRevision = revision;
    for (Event e : prefixEvents) {
      KeyValue kv = e.getKv();
      if (leaderKey == null) {
        if (e.getType() == Event.EventType.PUT) {
          leaderKey = kv.getKey();
          send(kv, revision);
          return;
        }
      } else if (kv.getKey().equals(leaderKey)) {
        if (e.getType() == Event.EventType.DELETE) {
          seek();
          return;
        }
        send(kv, revision);
      }
    }
  }

  private void seek() {
    RangeResponse head;
    try {
      head = member.range(QueueRequests.firstCreated(prefix));
    } catch (RuntimeException e) {
      fail(e);
      return;
    }
    seenRevision = head.getHeader().getRevision();
    if (head.getKvsCount() == 0) {
      leaderKey = null;
      return;
    }
    leaderKey = head.getKvs(0).getKey();
    send(head.getKvs(0), seenRevision);
  }

  private void close() {
    if (!closed) {
      closed = true;
      events.unsubscribePrefix(prefix, this);
    }
  }

  private void send(KeyValue kv, long revision) {
    if (closed || stream.isCancelled()) {
      return;
    }
    try {
      stream.onNext(LeaderResponse.newBuilder().setHeader(member.header(revision)).setKv(kv).build());
    } catch (RuntimeException e) {
      log.debug("observe update not delivered", e);
      close();
    }
  }

  private void fail(Throwable failure) {
    close();
    if (stream.isCancelled()) {
      return;
    }
    try {
      stream.onError(RecipeStatus.of(failure));
    } catch (RuntimeException e) {
      log.debug("observe failure not delivered", e);
    }
  }
}
