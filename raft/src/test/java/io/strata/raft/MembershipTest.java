package io.strata.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.strata.raft.proto.ConfChange;
import io.strata.raft.proto.ConfChangeType;
import io.strata.raft.proto.ConfState;
import org.junit.jupiter.api.Test;

/** Membership changes, one member at a time (Raft thesis section 4.1), and learners. */
class MembershipTest {

  private static ConfChange change(ConfChangeType type, long member) {
    return ConfChange.newBuilder().setType(type).setNodeId(member).build();
  }

  @Test
  void addedMemberReceivesTheWholeLogAndVotes() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "a");
    // A joining member starts from the membership it joins, itself included.
    c.addMember(4, ConfState.newBuilder().addVoters(1).addVoters(2).addVoters(3).addVoters(4).build());
    assertThat(c.node(1).proposeConfChange(change(ConfChangeType.ADD_NODE, 4))).isTrue();
    c.stabilize();
    c.tickAll(3);
    assertThat(c.node(1).status().confState().getVotersList()).containsExactly(1L, 2L, 3L, 4L);
    assertThat(c.node(4).status().confState().getVotersList()).containsExactly(1L, 2L, 3L, 4L);
    assertThat(c.member(4).appliedData()).containsExactly(ByteString.copyFromUtf8("a"));
    // With four voters, three are a quorum: two members down stop commits.
    c.isolate(3);
    c.isolate(4);
    c.node(1).propose(TestCluster.bytes("b"));
    c.stabilize();
    assertThat(c.member(1).appliedData()).hasSize(1);
  }

  @Test
  void secondConfChangeIsRefusedUntilFirstIsApplied() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(2);
    c.isolate(3);
    assertThat(c.node(1).proposeConfChange(change(ConfChangeType.ADD_LEARNER_NODE, 4))).isTrue();
    c.stabilize();
    assertThat(c.node(1).proposeConfChange(change(ConfChangeType.ADD_LEARNER_NODE, 5))).isFalse();
    c.heal();
    c.tickAll(2);
    assertThat(c.node(1).status().confState().getLearnersList()).containsExactly(4L);
    assertThat(c.node(1).proposeConfChange(change(ConfChangeType.ADD_LEARNER_NODE, 5))).isTrue();
  }

  @Test
  void learnerReceivesEntriesButDoesNotCountTowardsCommit() {
    TestCluster c = TestCluster.ofVoters(1);
    c.elect(1);
    c.addMember(2, ConfState.newBuilder().addVoters(1).addLearners(2).build());
    c.node(1).proposeConfChange(change(ConfChangeType.ADD_LEARNER_NODE, 2));
    c.stabilize();
    c.propose(1, "a");
    c.tickAll(2);
    assertThat(c.member(2).appliedData()).containsExactly(ByteString.copyFromUtf8("a"));
    assertThat(c.node(1).status().progress().get(2L).learner()).isTrue();
    // A learner never campaigns.
    for (int i = 0; i < 50; i++) {
      c.node(2).tick();
    }
    c.stabilize();
    assertThat(c.node(2).status().role()).isEqualTo(RaftRole.FOLLOWER);
    assertThat(c.node(1).status().role()).isEqualTo(RaftRole.LEADER);
  }

  @Test
  void learnerPromotedToVoterCanBeElected() {
    TestCluster c = TestCluster.ofVoters(1);
    c.elect(1);
    c.addMember(2, ConfState.newBuilder().addVoters(1).addLearners(2).build());
    c.node(1).proposeConfChange(change(ConfChangeType.ADD_LEARNER_NODE, 2));
    c.stabilize();
    c.tickAll(2);
    c.node(1).proposeConfChange(change(ConfChangeType.ADD_NODE, 2));
    c.stabilize();
    c.tickAll(2);
    assertThat(c.node(2).status().confState().getVotersList()).containsExactly(1L, 2L);
    c.elect(2);
    assertThat(c.node(2).status().role()).isEqualTo(RaftRole.LEADER);
  }

  @Test
  void removedFollowerNoLongerCountsTowardsQuorum() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.node(1).proposeConfChange(change(ConfChangeType.REMOVE_NODE, 3));
    c.stabilize();
    c.isolate(3);
    c.propose(1, "a");
    c.isolate(2);
    c.propose(1, "b");
    // Two voters need both: "b" waits for 2.
    assertThat(c.member(1).appliedData()).containsExactly(ByteString.copyFromUtf8("a"));
  }

  @Test
  void removedLeaderStepsDownAndTheRestElectANewOne() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.node(1).proposeConfChange(change(ConfChangeType.REMOVE_NODE, 1));
    c.stabilize();
    assertThat(c.node(1).status().role()).isEqualTo(RaftRole.FOLLOWER);
    c.tickAll(1);
    c.tickAll(40);
    long leader = c.node(2).status().leader();
    assertThat(leader).isIn(2L, 3L);
    assertThat(c.node(leader).status().confState().getVotersList()).containsExactly(2L, 3L);
  }

  @Test
  void removedLeaderWithTheLongestLogStillLetsTheLastVoterTakeOver() {
    TestCluster c = TestCluster.ofVoters(2);
    c.elect(1);
    long removal = c.node(1).status().lastIndex() + 1;
    assertThat(c.node(1).proposeConfChange(change(ConfChangeType.REMOVE_NODE, 1))).isTrue();
    assertThat(c.node(1).propose(TestCluster.bytes("tail"))).isTrue();
    // Member 2 stores the removal but neither learns that it is committed nor receives the entry
    // after it, so it still counts 1 as a voter and 1's log stays ahead of its own.
    c.dropIf(m -> m.getFrom() == 1 && (m.getCommit() >= removal
        || m.getEntriesList().stream().anyMatch(e -> e.getIndex() > removal)));
    c.stabilize();
    assertThat(c.node(1).status().confState().getVotersList()).containsExactly(2L);
    assertThat(c.node(2).status().commit()).isLessThan(removal);
    c.heal();
    c.tickAll(100);
    assertThat(c.node(2).status().role()).isEqualTo(RaftRole.LEADER);
    assertThat(c.node(2).status().confState().getVotersList()).containsExactly(2L);
    assertThat(c.node(1).status().role()).isEqualTo(RaftRole.FOLLOWER);
  }
}
