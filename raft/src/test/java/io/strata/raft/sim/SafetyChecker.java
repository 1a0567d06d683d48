package io.strata.raft.sim;

import io.strata.raft.CompactedLogException;
import io.strata.raft.MemoryRaftStorage;
import io.strata.raft.RaftRole;
import io.strata.raft.RaftStatus;
import io.strata.raft.proto.Entry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The Raft safety properties, checked as the simulation runs: election safety, log matching,
 * leader completeness and state machine safety (Raft paper, figure 3).
 */
final class SafetyChecker {
  private record EntryId(long index, long term) {}

  private final Map<Long, Long> leaderByTerm = new HashMap<>();
  // Every entry ever persisted anywhere, by (index, term): one (index, term) names one entry.
  private final Map<EntryId, Entry> entriesById = new HashMap<>();
  // The entry applied at each index, and the state machine digest right after it.
  private final Map<Long, Entry> appliedEntries = new HashMap<>();
  private final Map<Long, Long> appliedDigests = new HashMap<>();
  private long maxAppliedIndex;
  private final Map<com.google.protobuf.ByteString, Long> firstAppliedIndex = new HashMap<>();

  /** The index at which a proposal's data was first applied anywhere, or null. */
  Long firstAppliedIndex(com.google.protobuf.ByteString data) {
    return firstAppliedIndex.get(data);
  }

  private int snapshotsInstalled;

  int termsWithLeader() {
    return leaderByTerm.size();
  }

  int snapshotsInstalled() {
    return snapshotsInstalled;
  }

  long maxAppliedIndex() {
    return maxAppliedIndex;
  }

  private static void fail(String format, Object... args) {
    throw new AssertionError(String.format(format, args));
  }

  void onStatus(SimMember m, RaftStatus status) {
    if (status.role() != RaftRole.LEADER) {
      return;
    }
    Long previous = leaderByTerm.putIfAbsent(status.term(), m.id);
    if (previous != null && previous != m.id) {
      fail("election safety: members %d and %d are both leaders of term %d", previous, m.id, status.term());
    }
  }

  void onPersisted(SimMember m, List<Entry> entries) {
    for (Entry e : entries) {
      Entry known = entriesById.putIfAbsent(new EntryId(e.getIndex(), e.getTerm()), e);
      if (known != null && !known.equals(e)) {
        fail("log matching: member %d persisted a different entry at index %d term %d", m.id, e.getIndex(), e.getTerm());
      }
    }
  }

  void onApplied(SimMember m, Entry e, long digest) {
    Entry known = appliedEntries.putIfAbsent(e.getIndex(), e);
    if (known != null && !known.equals(e)) {
      fail("state machine safety: member %d applied %s at index %d where another applied %s",
          m.id, e, e.getIndex(), known);
    }
    Long knownDigest = appliedDigests.putIfAbsent(e.getIndex(), digest);
    if (knownDigest != null && knownDigest != digest) {
      fail("state machine safety: member %d's state at index %d differs from another member's", m.id, e.getIndex());
    }
    maxAppliedIndex = Math.max(maxAppliedIndex, e.getIndex());
    firstAppliedIndex.putIfAbsent(e.getData(), e.getIndex());
  }

  void onSnapshotInstalled(SimMember m, long index, long digest) {
    snapshotsInstalled++;
    Long knownDigest = appliedDigests.putIfAbsent(index, digest);
    if (knownDigest != null && knownDigest != digest) {
      fail("state machine safety: member %d installed a snapshot at index %d that differs", m.id, index);
    }
  }

  /** A new leader's log holds every entry applied anywhere (they were all committed before). */
  void onBecameLeader(SimMember m, long term) {
    MemoryRaftStorage log = m.storage;
    if (log.lastIndex() < maxAppliedIndex) {
      fail("leader completeness: leader %d of term %d has last index %d but index %d was applied",
          m.id, term, log.lastIndex(), maxAppliedIndex);
    }
    for (long i = log.firstIndex(); i <= maxAppliedIndex; i++) {
      Entry applied = appliedEntries.get(i);
      if (applied != null && applied.getTerm() != log.term(i)) {
        fail("leader completeness: leader %d of term %d has term %d at index %d where term %d was applied",
            m.id, term, log.term(i), i, applied.getTerm());
      }
    }
  }

  /**
   * Log matching in full: if two logs hold an entry with the same index and term, they hold the
   * same entries before it.
   */
  void checkLogMatching(List<SimMember> members) {
    for (int a = 0; a < members.size(); a++) {
      for (int b = a + 1; b < members.size(); b++) {
        SimMember x = members.get(a);
        SimMember y = members.get(b);
        if (!x.up || !y.up) {
          continue;
        }
        compare(x, y);
      }
    }
  }

  private static void compare(SimMember x, SimMember y) {
    long lo = Math.max(x.storage.firstIndex() - 1, y.storage.firstIndex() - 1);
    long hi = Math.min(x.storage.lastIndex(), y.storage.lastIndex());
    // Find the highest index where the terms agree; everything from lo up to it must agree too.
    long top = -1;
    for (long i = hi; i >= lo && i > 0; i--) {
      if (Objects.equals(term(x.storage, i), term(y.storage, i))) {
        top = i;
        break;
      }
    }
    for (long i = Math.max(lo, 1); i <= top; i++) {
      Long tx = term(x.storage, i);
      Long ty = term(y.storage, i);
      if (tx != null && ty != null && !tx.equals(ty)) {
        fail("log matching: members %d and %d agree at index %d but differ at %d (terms %d and %d)",
            x.id, y.id, top, i, tx, ty);
      }
    }
  }

  private static Long term(MemoryRaftStorage s, long index) {
    try {
      return s.term(index);
    } catch (CompactedLogException e) {
      return null;
    }
  }
}
