package io.strata.raft;

import io.strata.raft.proto.Entry;
import io.strata.raft.proto.Snapshot;
import java.util.ArrayList;
import java.util.List;

/**
 * A member's log: the stable part in {@link RaftStorage} followed by the unstable part, with the
 * commit and apply cursors.
 */
final class RaftLog {
  private final RaftStorage storage;
  final UnstableLog unstable;
  // Invariant: applied <= committed <= lastIndex().
  private long committed;
  private long applied;

  RaftLog(RaftStorage storage) {
    this.storage = storage;
    long first = storage.firstIndex();
    long last = storage.lastIndex();
    this.unstable = new UnstableLog(last + 1);
    this.committed = first - 1;
    this.applied = first - 1;
  }

  long committed() {
    return committed;
  }

  long applied() {
    return applied;
  }

  long firstIndex() {
    long i = unstable.maybeFirstIndex();
    return i >= 0 ? i : storage.firstIndex();
  }

  long lastIndex() {
    long i = unstable.maybeLastIndex();
    return i >= 0 ? i : storage.lastIndex();
  }

  long lastTerm() {
    return termOrZero(lastIndex());
  }

  /**
   * The term of the entry at {@code index}: 0 for indexes outside [firstIndex - 1, lastIndex],
   * which no real entry has.
   *
   * @throws CompactedLogException if the storage compacted it meanwhile
   */
  long term(long index) {
    long dummy = firstIndex() - 1;
    if (index < dummy || index > lastIndex()) {
      return 0;
    }
    long t = unstable.maybeTerm(index);
    if (t >= 0) {
      return t;
    }
    return storage.term(index);
  }

  /** Like {@link #term} but a compacted index reads as 0. */
  long termOrZero(long index) {
    try {
      return term(index);
    } catch (CompactedLogException e) {
      return 0;
    }
  }

  boolean matchTerm(long index, long term) {
    try {
      return term(index) == term;
    } catch (CompactedLogException e) {
      return false;
    }
  }

  /** Whether a candidate whose log ends at (index, term) is at least as up to date as ours. */
  boolean isUpToDate(long index, long term) {
    long lastTerm = lastTerm();
    return term > lastTerm || (term == lastTerm && index >= lastIndex());
  }

  /**
   * Appends a leader's entries that follow (index, logTerm) if our log has that entry, dropping a
   * conflicting tail, and advances the commit. Returns the index of the last new entry, or -1 when
   * our log does not contain (index, logTerm).
   */
  long maybeAppend(long index, long logTerm, long leaderCommit, List<Entry> entries) {
    if (!matchTerm(index, logTerm)) {
      return -1;
    }
    long lastNew = index + entries.size();
    long conflict = findConflict(entries);
    if (conflict != 0) {
      Invariants.check(conflict > committed, "entry %d conflicts with committed entry (committed %d)", conflict, committed);
      append(entries.subList((int) (conflict - (index + 1)), entries.size()));
    }
    commitTo(Math.min(leaderCommit, lastNew));
    return lastNew;
  }

  /**
   * The index of the first entry whose term differs from ours (or that we lack); 0 when all match,
   * meaning the message brings nothing new.
   */
  private long findConflict(List<Entry> entries) {
    for (Entry e : entries) {
      if (!matchTerm(e.getIndex(), e.getTerm())) {
        return e.getIndex();
      }
    }
    return 0;
  }

  /**
   * The largest index at or below {@code index} whose term is at most {@code term}: the leader (or
   * follower) can skip every entry above it in one round trip when logs diverge.
   */
  long findConflictByTerm(long index, long term) {
    if (index > lastIndex()) {
      return index;
    }
    while (true) {
      long t;
      try {
        t = term(index);
      } catch (CompactedLogException e) {
        return index;
      }
      if (t <= term) {
        return index;
      }
      index--;
    }
  }

  long append(List<Entry> entries) {
    if (entries.isEmpty()) {
      return lastIndex();
    }
    long after = entries.get(0).getIndex() - 1;
    Invariants.check(after >= committed, "append after %d is below committed %d", after, committed);
    unstable.truncateAndAppend(entries);
    return lastIndex();
  }

  void commitTo(long index) {
    if (committed < index) {
      Invariants.check(index <= lastIndex(), "commit %d is beyond last index %d", index, lastIndex());
      committed = index;
    }
  }

  /** Commits {@code index} if it is above the current commit and written in {@code term}. */
  boolean maybeCommit(long index, long term) {
    if (index > committed && termOrZero(index) == term) {
      commitTo(index);
      return true;
    }
    return false;
  }

  void appliedTo(long index) {
    if (index == 0) {
      return;
    }
    Invariants.check(index <= committed && index >= applied,
        "applied %d is out of range [applied %d, committed %d]", index, applied, committed);
    applied = index;
  }

  void stableTo(long index, long term) {
    unstable.stableTo(index, term);
  }

  void stableSnapshotTo(long index) {
    unstable.stableSnapshotTo(index);
  }

  List<Entry> unstableEntries() {
    return unstable.entries();
  }

  boolean hasPendingSnapshot() {
    return unstable.snapshot() != null && unstable.snapshot().getMetadata().getIndex() != 0;
  }

  Snapshot snapshot() {
    return unstable.snapshot() != null ? unstable.snapshot() : storage.snapshot();
  }

  /**
   * Committed entries not yet applied, up to {@code maxSizeBytes} (at least one). Only entries
   * this member holds durably are handed out: then whatever the state machine applied (and
   * perhaps put into a snapshot) is also in the log a restart reads, and a snapshot can be taken
   * at any applied index.
   */
  List<Entry> nextCommittedEntries(long maxSizeBytes) {
    long lo = Math.max(applied + 1, firstIndex());
    long hi = applicableThrough();
    if (hi + 1 > lo) {
      return slice(lo, hi + 1, maxSizeBytes);
    }
    return List.of();
  }

  boolean hasNextCommittedEntries() {
    return applicableThrough() + 1 > Math.max(applied + 1, firstIndex());
  }

  private long applicableThrough() {
    return Math.min(committed, unstable.offset() - 1);
  }

  /** The last index known to be durable here: everything before the unstable part. */
  long persistedThrough() {
    return unstable.offset() - 1;
  }

  /** Entries from {@code lo} to the end, up to {@code maxSizeBytes} (at least one). */
  List<Entry> entriesFrom(long lo, long maxSizeBytes) {
    if (lo > lastIndex()) {
      return List.of();
    }
    return slice(lo, lastIndex() + 1, maxSizeBytes);
  }

  /**
   * Entries in {@code [lo, hi)} from storage and the unstable part together.
   *
   * @throws CompactedLogException if {@code lo} is below the first index
   */
  List<Entry> slice(long lo, long hi, long maxSizeBytes) {
    long first = firstIndex();
    if (lo < first) {
      throw new CompactedLogException(lo, first);
    }
    Invariants.check(lo <= hi && hi <= lastIndex() + 1, "slice [%d, %d) out of bounds [%d, %d]", lo, hi, first, lastIndex());
    if (lo == hi) {
      return List.of();
    }
    List<Entry> result = List.of();
    long unstableOffset = unstable.offset();
    if (lo < unstableOffset) {
      long storedHi = Math.min(hi, unstableOffset);
      List<Entry> stored = storage.entries(lo, storedHi, maxSizeBytes);
      if (stored.size() < storedHi - lo || hi <= unstableOffset) {
        return stored;
      }
      result = stored;
    }
    if (hi > unstableOffset) {
      List<Entry> fresh = unstable.slice(Math.max(lo, unstableOffset), hi);
      if (result.isEmpty()) {
        result = fresh;
      } else {
        ArrayList<Entry> combined = new ArrayList<>(result.size() + fresh.size());
        combined.addAll(result);
        combined.addAll(fresh);
        result = combined;
      }
    }
    return EntrySizes.limit(result, maxSizeBytes);
  }

  /** Replaces the log by a leader's snapshot; it becomes the whole (unstable) log. */
  void restore(Snapshot snapshot) {
    committed = snapshot.getMetadata().getIndex();
    unstable.restore(snapshot);
  }

  /** Restores the commit cursor from the persisted hard state on restart. */
  void loadCommit(long commit) {
    Invariants.check(commit <= lastIndex(), "persisted commit %d is beyond last index %d", commit, lastIndex());
    committed = Math.max(committed, commit);
  }
}
