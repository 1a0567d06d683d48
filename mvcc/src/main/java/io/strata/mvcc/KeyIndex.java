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
 * <p>Compaction at revision R keeps, in the generation alive at R, the last revision at or
 * before R and everything after it, and drops older generations whole. A generation whose
 * tombstone is at or before R is gone entirely, so a key deleted at or before R whose last
 * generation is empty disappears from the index.
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
   * Removes the history that compaction at {@code atMain} makes unreachable and collects the
   * removed revisions into {@code removed}.
   */
  void compact(long atMain, List<Revision> removed) {
    int genIdx = 0;
    // Skip whole generations that ended at or before atMain; the last one never ends.
    while (genIdx < generations.size() - 1 && generations.get(genIdx).last().main() <= atMain) {
      genIdx++;
    }
    for (int i = 0; i < genIdx; i++) {
      removed.addAll(generations.get(i).revisions());
    }
    Generation g = generations.get(genIdx);
    if (!g.isEmpty()) {
      int keepFrom = g.lastIndexAtOrBefore(atMain);
      if (keepFrom > 0) {
        g.dropFirst(keepFrom, removed);
      }
    }
    generations.subList(0, genIdx).clear();
  }

  /**
   * The revision compaction at {@code atMain} would keep as the key's state at that point, or
   * null when it would keep none (the key is deleted or not yet created then).
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
}
