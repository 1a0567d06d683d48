package io.strata.raft;

import io.strata.raft.proto.ConfChange;
import io.strata.raft.proto.ConfState;

/**
 * Membership changes, one member at a time: a change takes effect when its committed entry is
 * applied, and the leader reacts to the new configuration at once (commit with the new quorum,
 * probe new members, step down if it was removed).
 */
final class MembershipChanges {
  private final Raft raft;

  MembershipChanges(Raft raft) {
    this.raft = raft;
  }

  ConfState apply(ConfChange cc) {
    long member = cc.getNodeId();
    if (member == 0) {
      return raft.tracker.confState();
    }
    switch (cc.getType()) {
      case ADD_NODE -> {
        Progress pr = raft.tracker.progress.get(member);
        if (pr == null) {
          raft.addProgress(member, false);
        } else {
          pr.learner = false;
        }
        raft.tracker.learners.remove(member);
        raft.tracker.voters.add(member);
      }
      case ADD_LEARNER_NODE -> {
        Progress pr = raft.tracker.progress.get(member);
        if (pr == null) {
          raft.addProgress(member, true);
        } else {
          pr.learner = true;
        }
        raft.tracker.voters.remove(member);
        raft.tracker.learners.add(member);
      }
      case REMOVE_NODE -> {
        if (raft.tracker.voters.size() == 1 && raft.tracker.voters.contains(member)) {
          throw new IllegalArgumentException("removing member " + member + " would leave no voters");
        }
        raft.tracker.voters.remove(member);
        raft.tracker.learners.remove(member);
        raft.tracker.progress.remove(member);
      }
      case UPDATE_NODE -> {
        // Addresses live outside the core; the membership itself does not change.
      }
      default -> throw new IllegalArgumentException("unknown conf change type " + cc.getType());
    }
    return switchToConfig();
  }

  ConfState switchToConfig() {
    ConfState cs = raft.tracker.confState();
    if (raft.role != RaftRole.LEADER) {
      return cs;
    }
    Progress self = raft.tracker.progress.get(raft.id);
    if (self == null || self.learner) {
      // A leader that was removed or demoted steps down, so that the remaining voters elect a
      // leader after one election timeout instead of following a member that is no longer one.
      raft.becomeFollower(raft.term, 0);
      return cs;
    }
    if (raft.maybeCommit()) {
      // A smaller quorum may commit more at once.
      raft.leaderRole.broadcastAppend();
    } else {
      // Probe new members right away instead of waiting for the next heartbeat or proposal.
      for (long peer : raft.tracker.progress.keySet()) {
        if (peer != raft.id) {
          raft.leaderRole.maybeSendAppend(peer, false);
        }
      }
    }
    if (raft.leadTransferee != 0 && !raft.tracker.voters.contains(raft.leadTransferee)) {
      raft.leadTransferee = 0;
    }
    return cs;
  }
}
