package io.strata.raft.sim;

import io.strata.raft.CompactedLogException;
import io.strata.raft.MemoryRaftStorage;
import io.strata.raft.RaftRole;
import io.strata.raft.RaftStatus;
import io.strata.raft.proto.ConfChange;
import io.strata.raft.proto.ConfChangeType;
import io.strata.raft.proto.ConfState;
import io.strata.raft.proto.Entry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The Raft safety properties, checked as the simulation runs: election safety, log matching,
 * leader completeness and state machine safety (Raft paper, figure 3), and for membership: every
 * member reaches the same configuration after the same applied index, snapshots carry the
 * configuration in effect at their index, and a learner never leads.
 */
final class SafetyChecker {
  private record EntryId(long index, long term) {}

  // The configuration in effect from each applied conf change's index on (index 0: bootstrap).
  private final TreeMap<Long, ConfState> confStatesByIndex = new TreeMap<>();
  private int confChangesApplied;
  private int leaderRemovalsApplied;
  private int termsLedFromOutsideConfiguration;

  SafetyChecker(ConfState bootstrap) {
    confStatesByIndex.put(0L, bootstrap);
  }

  static String describe(ConfState cs) {
    return "voters " + cs.getVotersList() + " learners " + cs.getLearnersList();
  }

  /** Distinct conf changes applied (by at least one member). */
  int confChangesApplied() {
    return confChangesApplied;
  }

  /** Distinct applied conf changes that removed the leader which proposed them. */
  int leaderRemovalsApplied() {
    return leaderRemovalsApplied;
  }

  /** Terms whose leader was not a voter of its own configuration (a removed member). */
  int termsLedFromOutsideConfiguration() {
    return termsLedFromOutsideConfiguration;
  }

  /** The configuration as of the last conf change at or before {@code index} that anyone applied. */
  ConfState confStateAt(long index) {
    return confStatesByIndex.floorEntry(index).getValue();
  }

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
    // A removed member may lead its configuration without belonging to it (Raft thesis 4.2.2),
    // but a learner, or a member with no configuration yet, never leads.
    ConfState cs = status.confState();
    if (cs.getLearnersList().contains(m.id) || cs.getVotersCount() == 0) {
      fail("election safety: member %d leads term %d as a learner or without a configuration (%s)",
          m.id, status.term(), describe(cs));
    }
    if (previous == null && !cs.getVotersList().contains(m.id)) {
      termsLedFromOutsideConfiguration++;
    }
  }

  /**
   * Every member that applies the conf change at an index must reach the same configuration, and
   * it must follow from the configuration before it.
   */
  void onConfChangeApplied(SimMember m, Entry e, ConfChange change, ConfState after) {
    ConfState known = confStatesByIndex.get(e.getIndex());
    if (known != null) {
      if (!known.equals(after)) {
        fail("membership: member %d has %s after index %d where another has %s",
            m.id, describe(after), e.getIndex(), describe(known));
      }
      return;
    }
    ConfState before = confStateAt(e.getIndex() - 1);
    ConfState expected = ConfStateModel.apply(before, change);
    if (!expected.equals(after)) {
      fail("membership: member %d applied %s %d at index %d to %s and got %s",
          m.id, change.getType(), change.getNodeId(), e.getIndex(), describe(before), describe(after));
    }
    confStatesByIndex.put(e.getIndex(), after);
    confChangesApplied++;
    Long leader = leaderByTerm.get(e.getTerm());
    if (change.getType() == ConfChangeType.REMOVE_NODE && leader != null && leader == change.getNodeId()) {
      leaderRemovalsApplied++;
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

  void onSnapshotInstalled(SimMember m, long index, long digest, ConfState confState) {
    snapshotsInstalled++;
    ConfState expected = confStateAt(index);
    if (!expected.equals(confState)) {
      fail("membership: member %d installed a snapshot at index %d with %s where %s was in effect",
          m.id, index, describe(confState), describe(expected));
    }
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
