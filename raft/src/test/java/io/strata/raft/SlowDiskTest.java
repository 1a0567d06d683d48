package io.strata.raft;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.strata.raft.proto.MessageType;
import org.junit.jupiter.api.Test;

/**
 * Writes that finish long after their Ready was accepted: the core keeps electing, heartbeating
 * and committing through the other members, and promises nothing about a disk before the write
 * is done.
 */
class SlowDiskTest {
  private static final int ELECTION_TICKS = 10;

  @Test
  void leaderWhoseDiskStallsForManyElectionTimeoutsKeepsLeadingAndCommitsThroughItsFollowers() {
    TestCluster c = TestCluster.ofVoters(3, true, true);
    c.elect(1);
    long term = c.node(1).status().term();
    c.stallDisk(1);
    c.node(1).propose(TestCluster.bytes("a"));
    c.tickAll(5 * ELECTION_TICKS);

    assertThat(c.node(1).status().role()).isEqualTo(RaftRole.LEADER);
    for (long id = 1; id <= 3; id++) {
      assertThat(c.node(id).status().term()).as("term of %d", id).isEqualTo(term);
    }
    // Both followers hold "a" on disk: that is a quorum without the leader's own copy.
    assertThat(c.member(2).appliedData()).contains(ByteString.copyFromUtf8("a"));
    assertThat(c.member(3).appliedData()).contains(ByteString.copyFromUtf8("a"));
    assertThat(c.member(1).appliedData()).as("the leader applies only what it holds on disk").isEmpty();

    c.releaseDisk(1);
    c.stabilize();
    assertThat(c.member(1).appliedData()).containsExactly(ByteString.copyFromUtf8("a"));
  }

  @Test
  void leaderDoesNotCountItsOwnCopyBeforeItIsDurable() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    long committed = c.node(1).status().commit();
    c.stallDisk(1);
    c.stallDisk(2);
    c.isolate(3);
    c.node(1).propose(TestCluster.bytes("a"));
    c.stabilize();
    // Follower 2 has it in memory, the leader too, neither on disk: nothing is committed.
    assertThat(c.node(1).status().commit()).isEqualTo(committed);

    c.releaseDisk(2);
    c.stabilize();
    assertThat(c.node(1).status().commit()).as("one durable copy of three").isEqualTo(committed);

    c.releaseDisk(1);
    c.stabilize();
    assertThat(c.node(1).status().commit()).isEqualTo(committed + 1);
  }

  @Test
  void followerAcknowledgesAppendsOnlyOnceTheyAreDurable() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.stallDisk(2);
    c.delivered.clear();
    c.propose(1, "a");
    assertThat(c.delivered).noneMatch(m -> m.getFrom() == 2 && m.getType() == MessageType.MSG_APP_RESP);
    assertThat(c.delivered).anyMatch(m -> m.getFrom() == 3 && m.getType() == MessageType.MSG_APP_RESP);

    c.releaseDisk(2);
    c.stabilize();
    assertThat(c.delivered).anyMatch(m -> m.getFrom() == 2 && m.getType() == MessageType.MSG_APP_RESP);
  }

  @Test
  void candidateAsksForVotesOnlyOnceItsOwnVoteIsDurable() {
    TestCluster c = TestCluster.ofVoters(3);
    c.stallDisk(1);
    c.node(1).campaign();
    c.stabilize();
    assertThat(c.delivered).noneMatch(m -> m.getType() == MessageType.MSG_VOTE);
    assertThat(c.node(1).status().role()).isEqualTo(RaftRole.CANDIDATE);

    c.releaseDisk(1);
    c.stabilize();
    assertThat(c.node(1).status().role()).isEqualTo(RaftRole.LEADER);
  }

  @Test
  void followerWhoseDiskStallsAnswersHeartbeatsSoTheLeaderKeepsItsQuorum() {
    TestCluster c = TestCluster.ofVoters(3, true, true);
    c.elect(1);
    c.stallDisk(2);
    c.stallDisk(3);
    c.node(1).propose(TestCluster.bytes("a"));
    c.tickAll(5 * ELECTION_TICKS);
    // CheckQuorum would have deposed a leader whose followers went silent.
    assertThat(c.node(1).status().role()).isEqualTo(RaftRole.LEADER);
    assertThat(c.member(1).appliedData()).isEmpty();

    c.releaseDisk(2);
    c.stabilize();
    assertThat(c.member(1).appliedData()).containsExactly(ByteString.copyFromUtf8("a"));
  }

  @Test
  void readyTakenWhileAWriteIsUnderWayHandsOutOnlyTheNewEntries() {
    TestCluster c = TestCluster.ofVoters(1);
    c.elect(1);
    c.stallDisk(1);
    RaftNode node = c.node(1);
    node.propose(TestCluster.bytes("a"));
    Ready first = node.ready();
    node.accept(first);
    node.propose(TestCluster.bytes("b"));
    Ready second = node.ready();
    assertThat(second.entries()).hasSize(1);
    assertThat(second.entries().get(0).getIndex()).isEqualTo(first.entries().get(0).getIndex() + 1);
    node.accept(second);
    assertThat(node.hasReady()).isFalse();

    long committed = node.status().commit();
    c.member(1).storage.append(first.entries());
    node.persisted(first);
    assertThat(node.status().commit()).isEqualTo(committed + 1);
    c.member(1).storage.append(second.entries());
    node.persisted(second);
    assertThat(node.status().commit()).isEqualTo(committed + 2);
  }
}
