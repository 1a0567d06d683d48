package io.strata.server.watch;

import io.strata.api.mvccpb.Event;
import io.strata.api.mvccpb.KeyValue;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * The prev_kv of the updates in one revision handed to the hub live. The store publishes a put
 * without the value it replaced, since reading that back would cost every put, watched or not;
 * so it is read here from history at {@code mod_revision - 1}, on the first send that needs it,
 * and shared by every watcher that asked for prev_kv, so an event costs one read however many
 * such watchers get it. The apply thread only creates this object, and only when a watcher
 * that wants prev_kv matched a revision with an update in it.
 *
 * <p>As in etcd, an event whose previous revision was compacted before it was sent goes without
 * prev_kv. Deletes need nothing from here: the store publishes them with the deleted value.
 */
final class LivePrevKvs {
  private final EventHistory history;
  // Guarded by this. Keyed by identity: the hub hands out the very instances it was given.
  private final Map<Event, Event> completed = new IdentityHashMap<>();

  private LivePrevKvs(EventHistory history) {
    this.history = history;
  }

  /** The completer of {@code events}, or null when none of them lacks a prev_kv. */
  static LivePrevKvs of(EventHistory history, List<Event> events) {
    for (Event ev : events) {
      if (lacksPrevKv(ev)) {
        return new LivePrevKvs(history);
      }
    }
    return null;
  }

  /**
   * Whether a live event lacks the prev_kv it should carry for a watcher that asked for it: a
   * PUT that updated a key. A PUT of version 1 created the key and has none (etcd's rule, since
   * create_revision == mod_revision exactly then).
   */
  static boolean lacksPrevKv(Event ev) {
    return ev.getType() == Event.EventType.PUT && ev.getKv().getVersion() > 1 && !ev.hasPrevKv();
  }

  /** {@code ev}, one of this revision's events, with its prev_kv when it should have one. */
  Event complete(Event ev) {
    if (!lacksPrevKv(ev)) {
      return ev;
    }
    // Senders of other streams wait here for the one read instead of repeating it.
    synchronized (this) {
      return completed.computeIfAbsent(ev, this::read);
    }
  }

  private Event read(Event ev) {
    KeyValue prev;
    try {
      prev = history.valueAt(ev.getKv().getKey(), ev.getKv().getModRevision() - 1);
    } catch (HistoryCompactedException e) {
      return ev;
    }
    return prev == null ? ev : ev.toBuilder().setPrevKv(prev).build();
  }
}
