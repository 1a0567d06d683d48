package io.strata.mvcc;

import io.strata.api.mvccpb.Event;
import java.util.List;

/**
 * Told of every committed write revision, in revision order, on the writer thread, once the
 * revision is visible to readers. It must not block and must not throw: it hands the events
 * on and returns.
 *
 * <p>A PUT event never carries {@code prev_kv}: finding the previous value would cost every
 * put a read of the map, although few puts have a watcher that wants it. A listener that needs
 * it reads the key at {@code mod_revision - 1} (a PUT of version 1 created the key and has
 * none). A DELETE event carries {@code prev_kv}, the value it removed.
 */
@FunctionalInterface
public interface RevisionListener {
  /**
   * {@code events} are the revision's changes in order: a PUT carries the whole new key-value,
   * a DELETE the key with {@code mod_revision} set to {@code revision} and the deleted value as
   * {@code prev_kv}.
   */
  void onRevision(long revision, List<Event> events);
}
