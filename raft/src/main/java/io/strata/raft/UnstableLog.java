package io.strata.raft;

import io.strata.raft.proto.Entry;
import io.strata.raft.proto.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * The part of the log that is not yet known to be in stable storage: entries (and possibly an
 * incoming snapshot) that a {@link Ready} hands to the caller to persist.
 *
 * <p>With writes that complete after the Ready is accepted, part of it is in progress: handed out
 * and being written, but not yet reported durable. Those entries stay here (they are still read
 * from here) but are not handed out again; entries from {@code offsetInProgress} on are new.
 */
final class UnstableLog {
  // The snapshot received from a leader and not yet persisted; it precedes the entries.
  private Snapshot snapshot;
  private boolean snapshotInProgress;
  private final ArrayList<Entry> entries = new ArrayList<>();
  // Invariant: entries.get(i) has index offset + i.
  private long offset;
  // Invariant: offset <= offsetInProgress <= offset + entries.size().
  private long offsetInProgress;

  UnstableLog(long offset) {
    this.offset = offset;
    this.offsetInProgress = offset;
  }

  long offset() {
    return offset;
  }

  Snapshot snapshot() {
    return snapshot;
  }

  /** The snapshot to hand out for persisting: null if there is none or it is already being written. */
  Snapshot snapshotToPersist() {
    return snapshotInProgress ? null : snapshot;
  }

  List<Entry> entries() {
    return entries;
  }

  /** The entries not yet handed out for persisting. */
  List<Entry> entriesToPersist() {
    return entries.subList((int) (offsetInProgress - offset), entries.size());
  }

  /**
   * Marks what a Ready handed out as being written: entries up to (lastIndex, lastTerm), and the
   * snapshot. If the log changed under them meanwhile (a new leader replaced the tail), the
   * replaced part stays to be handed out again.
   */
  void acceptInProgress(long lastIndex, long lastTerm, Snapshot snapshotHandedOut) {
    if (lastIndex >= offsetInProgress && maybeTerm(lastIndex) == lastTerm) {
      offsetInProgress = lastIndex + 1;
    }
    if (snapshotHandedOut != null && snapshotHandedOut == snapshot) {
      snapshotInProgress = true;
    }
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
    offsetInProgress = Math.max(offsetInProgress, offset);
  }

  void stableSnapshotTo(long index) {
    if (snapshot != null && snapshot.getMetadata().getIndex() == index) {
      snapshot = null;
      snapshotInProgress = false;
    }
  }

  void restore(Snapshot snap) {
    offset = snap.getMetadata().getIndex() + 1;
    offsetInProgress = offset;
    entries.clear();
    snapshot = snap;
    snapshotInProgress = false;
  }

  void truncateAndAppend(List<Entry> newEntries) {
    long after = newEntries.get(0).getIndex();
    if (after == offset + entries.size()) {
      entries.addAll(newEntries);
    } else if (after <= offset) {
      // The new entries replace everything unstable, and also stable entries from 'after' on; the
      // caller overwrites those when it persists this batch.
      offset = after;
      offsetInProgress = after;
      entries.clear();
      entries.addAll(newEntries);
    } else {
      // Entries being written from 'after' on are replaced: the new ones must be written again,
      // after them, so that the last write wins on disk as it does here.
      offsetInProgress = Math.min(offsetInProgress, after);
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
