package io.strata.server.lock;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.RangeResponse;
import io.strata.api.mvccpb.Event;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Waits for one generation of one key (the one created at {@code createRevision}) to be deleted.
 * Completes on the service's executor.
 *
 * <p>The caller learned of the key from a read, so the key may already be gone by the time this
 * subscribes. The check after subscribing closes that gap: the store makes a revision visible
 * before it tells listeners of it, so a delete either shows in the check or reaches this
 * subscriber.
 */
final class KeyDeletion implements KeyEvents.Subscriber {
  private final KeyEvents events;
  private final ByteString key;
  private final long createRevision;
  private final CompletableFuture<Void> deleted = new CompletableFuture<>();

  private KeyDeletion(KeyEvents events, ByteString key, long createRevision) {
    this.events = events;
    this.key = key;
    this.createRevision = createRevision;
  }

  /** Must be called on the service's executor, like every completion that follows. */
  static KeyDeletion start(MemberAccess member, KeyEvents events, ByteString key, long createRevision) {
    KeyDeletion wait = new KeyDeletion(events, key, createRevision);
    events.subscribeKey(key, wait);
    RangeResponse now = member.range(QueueRequests.get(key));
    if (now.getKvsCount() == 0 || now.getKvs(0).getCreateRevision() != createRevision) {
      wait.finish();
    }
    return wait;
  }

  CompletableFuture<Void> deleted() {
    return deleted;
  }

  /** Stops waiting without completing; the key's later events are no longer routed here. */
  void cancel() {
    events.unsubscribeKey(key, this);
  }

  @Override
  public void onEvents(long revision, List<Event> keyEvents) {
    for (Event e : keyEvents) {
      if (e.getType() == Event.EventType.DELETE) {
        finish();
        return;
      }
    }
  }

  private void finish() {
    events.unsubscribeKey(key, this);
    deleted.complete(null);
  }
}
