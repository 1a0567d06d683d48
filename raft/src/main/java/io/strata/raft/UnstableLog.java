package io.strata.raft;

import io.strata.raft.proto.Entry;
import io.strata.raft.proto.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of the log that is not yet known to be in stable storage: entries (and possibly an
 * incoming snapshot) that the next {@link Ready} hands to the caller to persist.
 */
final class UnstableLog {
  // The snapshot received from a leader and not yet persisted; it precedes the entries.
  private Snapshot snapshot;
  private final ArrayList<Entry> entries = new ArrayList<>();
  // Invariant: entries.get(i) has index offset + i.
  private long offset;

  UnstableLog(long offset) {
    this.offset = offset;
  }

  long offset() {
    return offset;
  }

  Snapshot snapshot() {
    return snapshot;
  }

  List<Entry> entries() {
    return entries;
  }

  /** The first index, if the unstable part starts with a snapshot; otherwise -1. */
  long maybeFirstIndex() {
    return snapshot != null ? snapshot.getMetadata().getIndex() + 1 : -1;
  }

  /** The last index, if the unstable part holds entries or a snapshot; otherwise -1. */
  long maybeLastIndex() {
    if (!entries.isEmpty()) {
      return offset + entries.size() - 1;
    }
    return snapshot != null ? snapshot.getMetadata().getIndex() : -1;
  }

  /** The term at {@code index} if the unstable part knows it; otherwise -1. */
  long maybeTerm(long index) {
    if (index < offset) {
      if (snapshot != null && snapshot.getMetadata().getIndex() == index) {
        return snapshot.getMetadata().getTerm();
      }
      return -1;
    }
    long last = maybeLastIndex();
    if (last < 0 || index > last) {
      return -1;
    }
    return entries.get((int) (index - offset)).getTerm();
  }

  /**
   * Forgets the entries up to {@code index} once they are persisted. The term check matters: the
   * tail may have been replaced by a new leader's entries after the Ready was handed out, and those
   * replacements are not yet persisted.
   */
  void stableTo(long index, long term) {
    long known = maybeTerm(index);
    if (known < 0 || known != term || index < offset) {
      return;
    }
    entries.subList(0, (int) (index + 1 - offset)).clear();
    offset = index + 1;
  }

  void stableSnapshotTo(long index) {
    if (snapshot != null && snapshot.getMetadata().getIndex() == index) {
      snapshot = null;
    }
  }

  void restore(Snapshot snap) {
    offset = snap.getMetadata().getIndex() + 1;
    entries.clear();
    snapshot = snap;
  }

  void truncateAndAppend(List<Entry> newEntries) {
    long after = newEntries.get(0).getIndex();
    if (after == offset + entries.size()) {
      entries.addAll(newEntries);
    } else if (after <= offset) {
      // The new entries replace everything unstable, and also stable entries from 'after' on; the
      // caller overwrites those when it persists this batch.
      offset = after;
      entries.clear();
      entries.addAll(newEntries);
    } else {
      entries.subList((int) (after - offset), entries.size()).clear();
      entries.addAll(newEntries);
    }
  }

  /** Entries in {@code [lo, hi)}, which must lie within the unstable part. */
  List<Entry> slice(long lo, long hi) {
    Invariants.check(lo <= hi && lo >= offset && hi <= offset + entries.size(),
        "unstable slice [%d, %d) out of bounds [%d, %d]", lo, hi, offset, offset + entries.size());
    return entries.subList((int) (lo - offset), (int) (hi - offset));
  }
}
