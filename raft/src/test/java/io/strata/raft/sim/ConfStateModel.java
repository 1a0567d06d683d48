package io.strata.raft.sim;

import io.strata.raft.proto.ConfChange;
import io.strata.raft.proto.ConfState;
import java.util.TreeSet;

/**
 * What a membership should be after a conf change, computed independently of the core, so that
 * the simulation can tell whether the core's own answer follows the changes it applied in order.
 */
final class ConfStateModel {
  private ConfStateModel() {}

  static ConfState apply(ConfState current, ConfChange change) {
    TreeSet<Long> voters = new TreeSet<>(current.getVotersList());
    TreeSet<Long> learners = new TreeSet<>(current.getLearnersList());
    long member = change.getNodeId();
    switch (change.getType()) {
      case ADD_NODE -> {
        learners.remove(member);
        voters.add(member);
      }
      case ADD_LEARNER_NODE -> {
        voters.remove(member);
        learners.add(member);
      }
      case REMOVE_NODE -> {
        voters.remove(member);
        learners.remove(member);
      }
      default -> { }
    }
    return ConfState.newBuilder().addAllVoters(voters).addAllLearners(learners).build();
  }

  static boolean contains(ConfState cs, long member) {
    return cs.getVotersList().contains(member) || cs.getLearnersList().contains(member);
  }

  static int size(ConfState cs) {
    return cs.getVotersCount() + cs.getLearnersCount();
  }
}
