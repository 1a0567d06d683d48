package io.strata.raft.sim;

import io.strata.raft.proto.ConfChange;
import io.strata.raft.proto.ConfChangeType;
import io.strata.raft.proto.ConfState;
import io.strata.raft.proto.Entry;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Membership changes while faults go on, the way an operator drives them: proposes one change at
 * a time through a leader (add a new learner or voter, promote a learner, remove a learner or a
 * voter, the leader included), starts a new member once its addition is committed, and stops a
 * removed one once enough of the remaining voters durably know of its removal.
 */
final class SimMembership {
  static final int MAX_MEMBERS = 7;

  /** The cluster the operator acts on. */
  interface Cluster {
    TreeMap<Long, SimMember> members();

    void startJoiner(long id);

    void stop(long id);
  }

  private record Removal(long member, long index, List<Long> remainingVoters) {}

  private final Random random;
  private final Cluster cluster;
  private long nextId;
  // Ids that were in some proposed addition: never reused, even if the proposal was lost.
  private final TreeSet<Long> started = new TreeSet<>();
  private final TreeSet<Long> stopped = new TreeSet<>();
  private final TreeMap<Long, Removal> removals = new TreeMap<>();
  private int proposed;
  private int refusedWhilePending;
  private int joinersStarted;

  SimMembership(Random random, Cluster cluster, long firstFreeId) {
    this.random = random;
    this.cluster = cluster;
    this.nextId = firstFreeId;
  }

  int proposed() {
    return proposed;
  }

  int refusedWhilePending() {
    return refusedWhilePending;
  }

  int joinersStarted() {
    return joinersStarted;
  }

  int membersStopped() {
    return stopped.size();
  }

  /** Proposes one random change through {@code leader}; checks the one-at-a-time promise. */
  void proposeChange(SimMember leader) {
    ConfState cs = leader.confState;
    if (!cs.getVotersList().contains(leader.id)) {
      return;
    }
    List<ConfChange> options = new ArrayList<>();
    if (ConfStateModel.size(cs) < MAX_MEMBERS) {
      options.add(change(ConfChangeType.ADD_LEARNER_NODE, nextId));
      options.add(change(ConfChangeType.ADD_NODE, nextId));
    }
    if (cs.getLearnersCount() > 0) {
      long learner = cs.getLearners(random.nextInt(cs.getLearnersCount()));
      options.add(change(ConfChangeType.ADD_NODE, learner));
      options.add(change(ConfChangeType.REMOVE_NODE, learner));
    }
    if (cs.getVotersCount() > 1) {
      options.add(change(ConfChangeType.REMOVE_NODE, cs.getVoters(random.nextInt(cs.getVotersCount()))));
      // Removing the leader itself is the case most likely to go wrong; make it common.
      options.add(change(ConfChangeType.REMOVE_NODE, leader.id));
    }
    ConfChange cc = options.get(random.nextInt(options.size()));
    boolean pending = leader.hasUnappliedConfChange();
    boolean accepted = leader.node.proposeConfChange(cc);
    if (accepted && pending) {
      throw new AssertionError(String.format("one change at a time: leader %d accepted %s %d while its log holds "
          + "a conf change it has not applied (applied index %d)", leader.id, cc.getType(), cc.getNodeId(),
          leader.appliedIndex));
    }
    if (!accepted && pending) {
      refusedWhilePending++;
    }
    if (accepted) {
      proposed++;
      if (cc.getNodeId() == nextId) {
        nextId++;
      }
    }
  }

  private static ConfChange change(ConfChangeType type, long member) {
    return ConfChange.newBuilder().setType(type).setNodeId(member).build();
  }

  /** Called for every conf change any member applies. */
  void applied(Entry entry, ConfChange change, ConfState after) {
    long member = change.getNodeId();
    if (change.getType() == ConfChangeType.REMOVE_NODE) {
      removals.putIfAbsent(member, new Removal(member, entry.getIndex(), after.getVotersList()));
    } else if (!started.contains(member) && !cluster.members().containsKey(member)) {
      // The operator starts the new member once its addition is committed.
      started.add(member);
      joinersStarted++;
      cluster.startJoiner(member);
    }
  }

  /**
   * Stops each removed member once a majority of the remaining voters durably know its removal is
   * committed: from then on they elect leaders without it, even after crashing. Stopping it
   * sooner could leave a configuration that still counts it unable to reach a quorum.
   */
  void stopRemovedMembers() {
    for (Removal r : removals.values()) {
      if (stopped.contains(r.member())) {
        continue;
      }
      int know = 0;
      for (long voter : r.remainingVoters()) {
        SimMember m = cluster.members().get(voter);
        if (m != null && m.disk.durableCommit() >= r.index()) {
          know++;
        }
      }
      if (know >= r.remainingVoters().size() / 2 + 1) {
        stopped.add(r.member());
        cluster.stop(r.member());
      }
    }
  }
}
