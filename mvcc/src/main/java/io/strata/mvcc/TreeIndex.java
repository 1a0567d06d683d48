package io.strata.mvcc;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The ordered key index: every key with recorded history, in unsigned byte order, with its
 * {@link KeyIndex}. It answers "which revision holds key K at revision R" for ranges, and is the
 * place compaction decides what history survives. Not thread-safe: the store guards it.
 */
final class TreeIndex {
  private final TreeMap<ByteString, KeyIndex> keys = new TreeMap<>(KeyRange.ORDER);

  KeyIndex get(ByteString key) {
    return keys.get(key);
  }

  KeyIndex getOrCreate(ByteString key) {
    return keys.computeIfAbsent(key, KeyIndex::new);
  }

  void removeIfEmpty(ByteString key) {
    KeyIndex ki = keys.get(key);
    if (ki != null && ki.isEmpty()) {
      keys.remove(key);
    }
  }

  int keyCount() {
    return keys.size();
  }

  /** The key indexes whose keys fall in {@code range}, in key order. */
  Collection<KeyIndex> inRange(KeyRange range) {
    if (range.isSingleKey()) {
      KeyIndex ki = keys.get(range.start());
      return ki == null ? List.of() : List.of(ki);
    }
    if (range.isOpenEnded()) {
      return keys.tailMap(range.start(), true).values();
    }
    if (KeyRange.ORDER.compare(range.start(), range.end()) >= 0) {
      return List.of();
    }
    return keys.subMap(range.start(), true, range.end(), false).values();
  }

  /** A key's state at {@code atMain}, or null when it does not exist then. */
  Hit find(ByteString key, long atMain) {
    KeyIndex ki = keys.get(key);
    if (ki == null) {
      return null;
    }
    KeyIndex.Found found = ki.get(atMain);
    return found == null ? null : new Hit(ki.key(), found);
  }

  /** One key alive at the revision asked for. */
  record Hit(ByteString key, KeyIndex.Found found) {}

  /**
   * The keys alive at {@code atMain} in {@code range}, in key order: at most {@code limit} of
   * them (0 = no limit) in {@code into}, while the return value counts all of them.
   */
  long range(KeyRange range, long atMain, long limit, List<Hit> into) {
    long total = 0;
    for (KeyIndex ki : inRange(range)) {
      KeyIndex.Found found = ki.get(atMain);
      if (found == null) {
        continue;
      }
      if (limit <= 0 || total < limit) {
        into.add(new Hit(ki.key(), found));
      }
      total++;
    }
    return total;
  }

  /** The number of keys alive at {@code atMain} in {@code range}. */
  long count(KeyRange range, long atMain) {
    long total = 0;
    for (KeyIndex ki : inRange(range)) {
      if (ki.get(atMain) != null) {
        total++;
      }
    }
    return total;
  }

  /**
   * Compacts every key's history at {@code atMain}, removing keys left with no history, and
   * returns the revisions that are no longer reachable and must leave the revision map.
   */
  List<Revision> compact(long atMain) {
    List<Revision> removed = new ArrayList<>();
    Iterator<Map.Entry<ByteString, KeyIndex>> it = keys.entrySet().iterator();
    while (it.hasNext()) {
      KeyIndex ki = it.next().getValue();
      ki.compact(atMain, removed);
      if (ki.isEmpty()) {
        it.remove();
      }
    }
    return removed;
  }

  /** Every recorded revision of every key, in revision order. */
  List<Revision> allRevisions() {
    List<Revision> all = allRevisionsUnordered();
    Collections.sort(all);
    return all;
  }

  /** Every recorded revision of every key, in key order; a copy the caller may sort. */
  List<Revision> allRevisionsUnordered() {
    List<Revision> all = new ArrayList<>(keys.size() * 2);
    for (KeyIndex ki : keys.values()) {
      ki.collectRevisions(all);
    }
    return all;
  }

  /** The recorded revisions after {@code main}, in no particular order; a copy. */
  List<Revision> revisionsAfter(long main) {
    List<Revision> after = new ArrayList<>();
    for (KeyIndex ki : keys.values()) {
      ki.collectRevisionsAfter(main, after);
    }
    return after;
  }

  NavigableMap<ByteString, KeyIndex> view() {
    return Collections.unmodifiableNavigableMap(keys);
  }
}
