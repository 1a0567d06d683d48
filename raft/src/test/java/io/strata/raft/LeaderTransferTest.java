package io.strata.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.raft.proto.MessageType;
import org.junit.jupiter.api.Test;

/** Handing leadership to a chosen member (Raft thesis section 3.10). */
class LeaderTransferTest {

  @Test
  void upToDateFollowerTakesOverAtOnce() {
    TestCluster c = TestCluster.ofVoters(3, true, true);
    c.elect(1);
    c.node(1).transferLeadership(2);
    c.stabilize();
    assertThat(c.node(2).status().role()).isEqualTo(RaftRole.LEADER);
    assertThat(c.node(2).status().term()).isEqualTo(2);
    assertThat(c.node(1).status().leader()).isEqualTo(2);
  }

  @Test
  void transferRequestedThroughFollowerReachesLeader() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.node(3).transferLeadership(3);
    c.stabilize();
    assertThat(c.node(3).status().role()).isEqualTo(RaftRole.LEADER);
  }

  @Test
  void laggingTransfereeIsCaughtUpBeforeItTakesOver() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(3);
    c.propose(1, "a", "b");
    c.heal();
    c.node(1).transferLeadership(3);
    assertThat(c.node(1).status().leadTransferee()).isEqualTo(3);
    c.stabilize();
    assertThat(c.node(3).status().role()).isEqualTo(RaftRole.LEADER);
    assertThat(c.member(3).appliedData()).hasSize(2);
  }

  @Test
  void leaderRefusesProposalsWhileTransferring() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(2);
    c.propose(1, "a");
    c.node(1).transferLeadership(2);
    assertThat(c.node(1).propose(TestCluster.bytes("b"))).isFalse();
  }

  @Test
  void transferThatDoesNotFinishWithinElectionTimeoutIsAborted() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(2);
    c.propose(1, "a");
    c.node(1).transferLeadership(2);
    c.dropIf(m -> m.getType() == MessageType.MSG_TIMEOUT_NOW || m.getTo() == 2);
    for (int i = 0; i < 10; i++) {
      c.node(1).tick();
      c.stabilize();
    }
    assertThat(c.node(1).status().leadTransferee()).isZero();
    assertThat(c.node(1).propose(TestCluster.bytes("b"))).isTrue();
  }
}
