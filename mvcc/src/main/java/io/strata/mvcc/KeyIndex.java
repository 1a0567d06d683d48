package io.strata.mvcc;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;

/**
 * The history of one key as a list of generations. A put appends to the last generation; a
 * delete appends a tombstone and opens a new, empty generation, so the last generation is empty
 * exactly when the key is currently deleted. For example, put@2, put@4, delete@6, put@8 gives
 * {@code [{2, 4, 6(t)}, {8}]}, and after a further delete@9 {@code [{2, 4, 6(t)}, {8, 9(t)}, {}]}.
 *
 * <p>Compaction at revision R keeps everything after R, the key's value at R when it is alive
 * then, and every tombstone at exactly R, so that history read from R still reports the
 * deletes made at R (as etcd 3.5 does since it stopped dropping them). It drops the rest: a
 * generation whose tombstone is before R goes whole, and a put at R that a later change of the
 * key in the same revision replaced goes too. A generation left with only its tombstone at R
 * reads as deleted, like an empty one; the next compaction above R removes it, and a key left
 * with no history at all disappears from the index.
 */
final class KeyIndex {
  private final ByteString key;
  private final List<Generation> generations = new ArrayList<>(1);

  KeyIndex(ByteString key) {
    this.key = key;
    generations.add(new Generation());
  }

  ByteString key() {
    return key;
  }

  List<Generation> generations() {
    return generations;
  }

  private Generation current() {
    return generations.get(generations.size() - 1);
  }

  /** Whether nothing at all is recorded for the key (it can then be removed from the tree). */
  boolean isEmpty() {
    return generations.size() == 1 && current().isEmpty();
  }

  /** Whether the key exists at the newest revision. */
  boolean isLive() {
    return !current().isEmpty();
  }

  Revision lastRevision() {
    for (int i = generations.size() - 1; i >= 0; i--) {
      if (!generations.get(i).isEmpty()) {
        return generations.get(i).last();
      }
    }
    return null;
  }

  /** Records a put at {@code rev}; returns the key's version after it. */
  long put(Revision rev) {
    checkAfterLast(rev);
    Generation g = current();
    long version = g.isEmpty() ? 1 : g.version() + 1;
    g.put(rev, version);
    return version;
  }

  /** Records a put read back from a snapshot, where the version and creation are known. */
  void restorePut(Revision rev, long createdMain, long version) {
    checkAfterLast(rev);
    Generation g = current();
    boolean fresh = g.isEmpty();
    g.put(rev, version);
    if (fresh) {
      g.setCreatedMain(createdMain);
    }
  }

  /** Records a delete at {@code rev}; the key must be live. */
  void tombstone(Revision rev) {
    checkAfterLast(rev);
    Invariants.check(isLive(), "tombstone on deleted key %s", key.toStringUtf8());
    current().appendTombstone(rev);
    generations.add(new Generation());
  }

  /**
   * Records a tombstone read back from a snapshot. Unlike a delete, it may come first in the
   * key's stored history: compaction keeps the tombstones at the compacted revision after
   * dropping the puts before them, so the key is then rebuilt as a tombstone-only generation.
   */
  void restoreTombstone(Revision rev) {
    checkAfterLast(rev);
    if (isLive()) {
      current().appendTombstone(rev);
    } else {
      current().put(rev, 0);
    }
    generations.add(new Generation());
  }

  /**
   * Takes back the change at {@code rev}, which must be the key's last one: the way a
   * transaction that fails half-way leaves the index as it found it.
   */
  void undo(Revision rev) {
    Generation g = current();
    if (g.isEmpty()) {
      Invariants.check(generations.size() > 1, "undo of %s on a key with no history", rev);
      generations.remove(generations.size() - 1);
      g = current();
      Invariants.check(g.last().equals(rev), "undo of tombstone %s, last is %s", rev, g.last());
      g.removeLast(false);
    } else {
      Invariants.check(g.last().equals(rev), "undo of put %s, last is %s", rev, g.last());
      g.removeLast(true);
    }
  }

  private void checkAfterLast(Revision rev) {
    Revision last = lastRevision();
    Invariants.check(last == null || last.compareTo(rev) < 0,
        "revision %s of key %s is not after %s", rev, key.toStringUtf8(), last);
  }

  /**
   * The key's state at main revision {@code atMain}: its last modification, creation and
   * version, or null when the key does not exist then.
   */
  Found get(long atMain) {
    Generation g = generationAt(atMain);
    if (g == null) {
      return null;
    }
    int i = g.lastIndexAtOrBefore(atMain);
    if (i < 0) {
      return null;
    }
    return new Found(g.get(i), g.createdMain(), g.version() - (g.size() - 1 - i));
  }

  /** A live key's state at some revision, as the index knows it. */
  record Found(Revision modified, long createdMain, long version) {}

  /** The generation in which the key is alive at {@code atMain}, or null. */
  private Generation generationAt(long atMain) {
    int last = generations.size() - 1;
    for (int i = last; i >= 0; i--) {
      Generation g = generations.get(i);
      if (g.isEmpty()) {
        continue;
      }
      if (i != last && g.last().main() <= atMain) {
        // The generation ended (its tombstone) at or before atMain: deleted then.
        return null;
      }
      if (g.get(0).main() <= atMain) {
        return g;
      }
    }
    return null;
  }

  /**
   * Removes the history that compaction at {@code atMain} drops (see the class comment) and
   * collects the removed revisions into {@code removed}.
   */
  void compact(long atMain, List<Revision> removed) {
    Revision valueAtCompaction = valueRevisionAt(atMain);
    int last = generations.size() - 1;
    for (int gi = 0; gi <= last; gi++) {
      Generation g = generations.get(gi);
      int drop = 0;
      while (drop < g.size()) {
        Revision r = g.get(drop);
        boolean tombstone = gi != last && drop == g.size() - 1;
        boolean keep = r.main() > atMain || r.equals(valueAtCompaction)
            || (tombstone && r.main() == atMain);
        if (keep) {
          break;
        }
        drop++;
      }
      // Only a head of the generation may go: the first kept revision is the newest one at or
      // before the compaction, so everything behind it is newer than the compaction.
      Invariants.check(drop + 1 >= g.size() || g.get(drop + 1).main() > atMain,
          "compaction at %d keeps %s of key %s but not all before it", atMain,
          drop < g.size() ? g.get(drop) : null, key.toStringUtf8());
      if (drop > 0) {
        g.dropFirst(drop, removed);
      }
    }
    // The last generation keeps its newest revision if it has any, so only older ones empty.
    generations.subList(0, last).removeIf(Generation::isEmpty);
  }

  /** The put that is the key's value at {@code atMain}, or null when it is deleted then. */
  private Revision valueRevisionAt(long atMain) {
    Found found = get(atMain);
    return found == null ? null : found.modified();
  }

  /** Whether {@code rev} is still part of the key's recorded history. */
  boolean contains(Revision rev) {
    for (Generation g : generations) {
      if (!g.isEmpty() && g.get(0).compareTo(rev) <= 0 && rev.compareTo(g.last()) <= 0) {
        return g.revisions().contains(rev);
      }
    }
    return false;
  }

  /**
   * The revision that counts as the key's state at {@code atMain} when hashing history that
   * compaction at {@code atMain} would trim: the key's value then, or null when it is deleted
   * or not yet created then. A tombstone at {@code atMain} never counts, although compaction
   * keeps it for history: etcd's hash leaves it out too, so that hashes of the same history
   * agree whatever compaction rules the member ran.
   */
  Revision keptAt(long atMain) {
    int genIdx = 0;
    while (genIdx < generations.size() - 1 && generations.get(genIdx).last().main() <= atMain) {
      genIdx++;
    }
    Generation g = generations.get(genIdx);
    int i = g.lastIndexAtOrBefore(atMain);
    return i < 0 ? null : g.get(i);
  }

  /** All recorded revisions of the key, oldest first. */
  void collectRevisions(List<Revision> into) {
    for (Generation g : generations) {
      into.addAll(g.revisions());
    }
  }

  /** Adds the revisions after {@code main} to {@code into}, oldest first. */
  void collectRevisionsAfter(long main, List<Revision> into) {
    Revision newest = lastRevision();
    if (newest == null || newest.main() <= main) {
      return;
    }
    for (Generation g : generations) {
      for (Revision r : g.revisions()) {
        if (r.main() > main) {
          into.add(r);
        }
      }
    }
  }
}
