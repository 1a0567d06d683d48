package io.strata.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import org.junit.jupiter.api.Test;

/** Linearizable reads without log writes (Raft thesis section 6.4). */
class ReadIndexTest {
  private static final ByteString CTX = ByteString.copyFromUtf8("req-1");

  @Test
  void singleVoterAnswersReadIndexAtOnce() {
    TestCluster c = TestCluster.ofVoters(1);
    c.elect(1);
    c.node(1).readIndex(CTX);
    c.stabilize();
    assertThat(c.member(1).readStates).containsExactly(new ReadState(1, CTX));
  }

  @Test
  void leaderAnswersReadIndexAfterHeartbeatQuorum() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "a");
    c.isolate(3);
    c.node(1).readIndex(CTX);
    c.stabilize();
    assertThat(c.member(1).readStates).containsExactly(new ReadState(2, CTX));
  }

  @Test
  void leaderWithoutQuorumDoesNotAnswerReadIndex() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(2);
    c.isolate(3);
    c.node(1).readIndex(CTX);
    c.stabilize();
    assertThat(c.member(1).readStates).isEmpty();
  }

  @Test
  void followerReadIndexIsForwardedToLeader() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.propose(1, "a");
    c.node(2).readIndex(CTX);
    c.stabilize();
    assertThat(c.member(2).readStates).containsExactly(new ReadState(2, CTX));
    assertThat(c.member(1).readStates).isEmpty();
  }

  @Test
  void newLeaderAnswersReadsOnlyAfterCommittingAnEntryOfItsTerm() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.dropIf(m -> m.getType() == io.strata.raft.proto.MessageType.MSG_APP_RESP);
    c.elect(2);
    c.node(2).readIndex(CTX);
    c.stabilize();
    assertThat(c.member(2).readStates).isEmpty();
    c.heal();
    c.tickAll(2);
    assertThat(c.member(2).readStates).hasSize(1);
    assertThat(c.member(2).readStates.get(0).index()).isEqualTo(c.node(2).status().commit());
  }
}
