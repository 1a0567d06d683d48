package io.strata.mvcc;

import java.util.ArrayList;
import java.util.List;

/**
 * One life of a key: the revisions from the put that created it up to, and including, the
 * tombstone that ended it (only the last generation of a key has no tombstone). {@code version}
 * is the key's version at the last revision in {@link #revisions}, so the version at an earlier
 * position follows by counting back; it survives compaction even when the first revisions of
 * the generation are gone.
 */
final class Generation {
  private final List<Revision> revisions = new ArrayList<>(2);
  private long createdMain;
  private long version;

  boolean isEmpty() {
    return revisions.isEmpty();
  }

  int size() {
    return revisions.size();
  }

  Revision get(int i) {
    return revisions.get(i);
  }

  Revision last() {
    return revisions.get(revisions.size() - 1);
  }

  long createdMain() {
    return createdMain;
  }

  long version() {
    return version;
  }

  List<Revision> revisions() {
    return revisions;
  }

  /** Appends a put; the first put of a generation creates the key at its revision. */
  void put(Revision rev, long versionAfter) {
    if (revisions.isEmpty()) {
      createdMain = rev.main();
    }
    revisions.add(rev);
    version = versionAfter;
  }

  /** Appends the tombstone that ends this generation; the version is not a put and stays. */
  void appendTombstone(Revision rev) {
    Invariants.check(!revisions.isEmpty(), "tombstone %s on an empty generation", rev);
    revisions.add(rev);
  }

  /** Takes back the last revision (rolling back a transaction); a put also takes its version. */
  void removeLast(boolean wasPut) {
    revisions.remove(revisions.size() - 1);
    if (wasPut) {
      version = revisions.isEmpty() ? 0 : version - 1;
    }
  }

  /** Restores the creation revision of a generation rebuilt from a compacted history. */
  void setCreatedMain(long createdMain) {
    this.createdMain = createdMain;
  }

  /**
   * Index of the last revision whose main revision is {@code <= atMain}, or -1 when every
   * revision of the generation is newer.
   */
  int lastIndexAtOrBefore(long atMain) {
    for (int i = revisions.size() - 1; i >= 0; i--) {
      if (revisions.get(i).main() <= atMain) {
        return i;
      }
    }
    return -1;
  }

  /** Drops the first {@code count} revisions, collecting them into {@code removed}. */
  void dropFirst(int count, List<Revision> removed) {
    List<Revision> head = revisions.subList(0, count);
    removed.addAll(head);
    head.clear();
  }
}
