package io.strata.server.watch;

import com.google.protobuf.ByteString;
import io.strata.api.mvccpb.Event;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

/**
 * A set of watchers indexed for matching events by key. Single-key watchers sit in a hash map,
 * so an event costs one lookup however many of them there are; range watchers are grouped by
 * their exact range and ordered by range start, so an event visits only the distinct ranges
 * that start at or below its key. Kubernetes opens few distinct ranges (one prefix per resource
 * type) but many watchers, which this favours.
 *
 * <p>Not thread-safe: the hub guards it with its lock, and the tests use it directly.
 */
final class WatcherGroup {
  private final Map<ByteString, Set<Watcher>> byKey = new HashMap<>();
  private final NavigableMap<ByteString, Map<KeyRange, Set<Watcher>>> byRangeStart =
      new TreeMap<>(KeyRange.KEY_ORDER);
  private final Set<Watcher> all = new LinkedHashSet<>();

  void add(Watcher w) {
    if (!all.add(w)) {
      throw new IllegalStateException("watcher added twice: " + w);
    }
    if (w.range.isSingleKey()) {
      byKey.computeIfAbsent(w.range.key(), k -> new LinkedHashSet<>()).add(w);
    } else {
      byRangeStart
          .computeIfAbsent(w.range.key(), k -> new HashMap<>())
          .computeIfAbsent(w.range, r -> new LinkedHashSet<>())
          .add(w);
    }
  }

  /** Removes the watcher; returns false when it was not in this group. */
  boolean remove(Watcher w) {
    if (!all.remove(w)) {
      return false;
    }
    if (w.range.isSingleKey()) {
      Set<Watcher> set = byKey.get(w.range.key());
      set.remove(w);
      if (set.isEmpty()) {
        byKey.remove(w.range.key());
      }
    } else {
      Map<KeyRange, Set<Watcher>> ranges = byRangeStart.get(w.range.key());
      Set<Watcher> set = ranges.get(w.range);
      set.remove(w);
      if (set.isEmpty()) {
        ranges.remove(w.range);
        if (ranges.isEmpty()) {
          byRangeStart.remove(w.range.key());
        }
      }
    }
    return true;
  }

  boolean contains(Watcher w) {
    return all.contains(w);
  }

  int size() {
    return all.size();
  }

  boolean isEmpty() {
    return all.isEmpty();
  }

  /** The watchers in insertion order; callers must not modify the group while iterating. */
  Iterable<Watcher> watchers() {
    return all;
  }

  /** Every watcher whose range holds the key. */
  List<Watcher> watchersOf(ByteString key) {
    List<Watcher> out = new ArrayList<>();
    Set<Watcher> single = byKey.get(key);
    if (single != null) {
      out.addAll(single);
    }
    for (Map<KeyRange, Set<Watcher>> ranges : byRangeStart.headMap(key, true).values()) {
      for (Map.Entry<KeyRange, Set<Watcher>> e : ranges.entrySet()) {
        if (e.getKey().contains(key)) {
          out.addAll(e.getValue());
        }
      }
    }
    return out;
  }

  /**
   * Sorts events out to the watchers that should see them: an event goes to a watcher when its
   * key is in the watcher's range, its revision is at or above {@code firstRevision} of that
   * watcher, and the watcher's filters let it through. Each watcher's list keeps the order of
   * {@code events}; watchers with nothing to see are absent.
   */
  Map<Watcher, List<Event>> match(List<Event> events, ToLongFunction<Watcher> firstRevision) {
    if (all.isEmpty()) {
      return new LinkedHashMap<>();
    }
    if (events.size() == 1) {
      return matchOne(events.get(0), firstRevision);
    }
    Map<Watcher, List<Event>> out = new LinkedHashMap<>();
    for (Event ev : events) {
      long rev = ev.getKv().getModRevision();
      for (Watcher w : watchersOf(ev.getKv().getKey())) {
        if (rev >= firstRevision.applyAsLong(w) && w.accepts(ev)) {
          out.computeIfAbsent(w, x -> new ArrayList<>()).add(ev);
        }
      }
    }
    return out;
  }

  /**
   * The common case of a revision with one event, which may go to a great many watchers: they
   * all share one immutable list, and the map is sized once instead of growing.
   */
  private Map<Watcher, List<Event>> matchOne(Event ev, ToLongFunction<Watcher> firstRevision) {
    long rev = ev.getKv().getModRevision();
    List<Watcher> candidates = watchersOf(ev.getKv().getKey());
    Map<Watcher, List<Event>> out = new LinkedHashMap<>(candidates.size() * 4 / 3 + 1);
    List<Event> only = List.of(ev);
    for (Watcher w : candidates) {
      if (rev >= firstRevision.applyAsLong(w) && w.accepts(ev)) {
        out.put(w, only);
      }
    }
    return out;
  }
}
