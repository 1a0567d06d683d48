package io.strata.mvcc;

import io.strata.api.mvccpb.Event;
import java.util.List;

/**
 * Told of every committed write revision, in revision order, on the writer thread, once the
 * revision is visible to readers. It must not block and must not throw: it hands the events
 * on and returns. Events always carry {@code prev_kv} when there was one; a watcher that did
 * not ask for it must have it stripped.
 */
@FunctionalInterface
public interface RevisionListener {
  /**
   * {@code events} are the revision's changes in order: a PUT carries the whole new key-value,
   * a DELETE the key with {@code mod_revision} set to {@code revision}; both carry
   * {@code prev_kv} when the key existed before the change.
   */
  void onRevision(long revision, List<Event> events);
}
