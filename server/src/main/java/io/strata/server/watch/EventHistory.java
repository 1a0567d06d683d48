package io.strata.server.watch;

import com.google.protobuf.ByteString;
import io.strata.api.mvccpb.Event;
import io.strata.api.mvccpb.KeyValue;
import java.util.List;

/**
 * The revision store as the watch hub sees it: where watchers that start in the past, or fall
 * behind, read the events they missed. Implementations must be safe to call from the hub's
 * catch-up thread while the apply thread writes.
 */
public interface EventHistory {
  /** The newest revision visible to readers. */
  long currentRevision();

  /** The revision of the last compaction (0 if none): history below it is gone. */
  long compactedRevision();

  /**
   * The events of the revisions {@code fromRevision..toRevision} (both included) on keys in the
   * range given by {@code key} and {@code rangeEnd} under etcd's rules (an empty
   * {@code rangeEnd} is the single key, {@code "\0"} means every key at or above {@code key}),
   * in revision order and, within a revision, in the order they were applied. A DELETE event
   * carries the key and the deleting revision as its mod_revision. With {@code withPrevKv},
   * every event that replaced or deleted an existing key carries that key's previous value.
   *
   * <p>At most {@code maxEvents} events are returned, except that a revision is never split:
   * the events of the last revision returned are all there, even if that exceeds the bound.
   * The hub treats a result of {@code maxEvents} or more events as possibly truncated and asks
   * again from the revision after the last one returned.
   *
   * @throws HistoryCompactedException if {@code fromRevision < compactedRevision()}
   */
  List<Event> events(
      long fromRevision,
      long toRevision,
      ByteString key,
      ByteString rangeEnd,
      boolean withPrevKv,
      int maxEvents);

  /**
   * The value {@code key} had at {@code revision}, or null when it did not exist then: what a
   * live update's prev_kv is read from, at the revision before the update.
   *
   * @throws HistoryCompactedException if {@code revision < compactedRevision()}
   */
  KeyValue valueAt(ByteString key, long revision);
}
