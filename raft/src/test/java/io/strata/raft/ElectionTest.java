package io.strata.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.raft.proto.Message;
import io.strata.raft.proto.MessageType;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Leader election, named after the Raft paper's rules (section 5.2, 5.4.1, 9.6). */
class ElectionTest {

  @Test
  void singleVoterBecomesLeaderAtOnceOnCampaign() {
    TestCluster c = TestCluster.ofVoters(1);
    c.elect(1);
    assertThat(c.node(1).status().role()).isEqualTo(RaftRole.LEADER);
    assertThat(c.node(1).status().term()).isEqualTo(1);
  }

  @Test
  void singleVoterWithPreVoteBecomesLeaderAfterElectionTimeout() {
    TestCluster c = TestCluster.ofVoters(1, true, true);
    c.tickAll(20);
    assertThat(c.node(1).status().role()).isEqualTo(RaftRole.LEADER);
    assertThat(c.node(1).status().term()).isEqualTo(1);
  }

  @Test
  void leaderElectedWithVotesFromMajority() {
    TestCluster c = TestCluster.ofVoters(5);
    c.isolate(4);
    c.isolate(5);
    c.elect(1);
    assertThat(c.node(1).status().role()).isEqualTo(RaftRole.LEADER);
    assertThat(c.node(2).status().leader()).isEqualTo(1);
    assertThat(c.node(3).status().leader()).isEqualTo(1);
  }

  @Test
  void candidateWithoutMajorityStaysCandidate() {
    TestCluster c = TestCluster.ofVoters(5);
    c.isolate(3);
    c.isolate(4);
    c.isolate(5);
    c.elect(1);
    assertThat(c.node(1).status().role()).isEqualTo(RaftRole.CANDIDATE);
  }

  @Test
  void candidateStartsElectionByIncrementingTermAndVotingForItself() {
    TestCluster c = TestCluster.ofVoters(3);
    c.isolate(2);
    c.isolate(3);
    c.elect(1);
    RaftStatus s = c.node(1).status();
    assertThat(s.term()).isEqualTo(1);
    assertThat(s.vote()).isEqualTo(1);
    assertThat(c.member(1).storage.hardState().getVote()).isEqualTo(1);
  }

  @Test
  void eachServerVotesForAtMostOneCandidatePerTerm() {
    TestCluster.Solo follower = TestCluster.standalone(1, List.of(1L, 2L, 3L), 0);
    follower.node.step(voteRequest(2, 1, 1, 0, 0));
    follower.node.step(voteRequest(3, 1, 1, 0, 0));
    List<Message> out = follower.drain();
    assertThat(out).extracting(Message::getTo, Message::getReject)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(2L, false), org.assertj.core.groups.Tuple.tuple(3L, true));
  }

  @Test
  void candidateWithStaleLogDoesNotWinElection() {
    // Node 1's log ends at term 1; nodes 2 and 3 hold an entry of term 2.
    TestCluster.Solo voter = TestCluster.standalone(2, List.of(1L, 2L, 3L), 2, 1, 2);
    voter.node.step(voteRequest(1, 2, 3, 1, 1));
    voter.node.step(voteRequest(3, 2, 4, 5, 1)); // longer log, but older last term
    List<Message> out = voter.drain();
    assertThat(out).allMatch(Message::getReject);
  }

  @Test
  void voterGrantsCandidateWithLongerLogOfSameLastTerm() {
    TestCluster.Solo voter = TestCluster.standalone(2, List.of(1L, 2L, 3L), 2, 1, 2);
    voter.node.step(voteRequest(1, 2, 3, 3, 2));
    assertThat(voter.drain()).singleElement().satisfies(m -> {
      assertThat(m.getType()).isEqualTo(MessageType.MSG_VOTE_RESP);
      assertThat(m.getReject()).isFalse();
    });
  }

  @Test
  void serverWithStaleLogCannotBeElectedInCluster() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(3);
    c.propose(1, "a", "b");
    c.heal();
    // Node 3 missed "a" and "b"; its campaign is rejected by both others.
    c.dropIf(m -> m.getType() == MessageType.MSG_HEARTBEAT || m.getType() == MessageType.MSG_APP);
    c.node(3).campaign();
    c.stabilize();
    assertThat(c.node(3).status().role()).isNotEqualTo(RaftRole.LEADER);
    c.heal();
    c.elect(2);
    assertThat(c.node(2).status().role()).isEqualTo(RaftRole.LEADER);
  }

  @Test
  void serverWithHigherTermMakesCandidateStepDown() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.elect(2);
    assertThat(c.node(1).status().role()).isEqualTo(RaftRole.FOLLOWER);
    assertThat(c.node(1).status().term()).isEqualTo(2);
    assertThat(c.node(1).status().leader()).isEqualTo(2);
  }

  @Test
  void electionTimeoutIsRandomizedBetweenOneAndTwoElectionTimeouts() {
    for (long seed = 1; seed <= 30; seed++) {
      TestCluster.Solo solo = TestCluster.standalone(seed, List.of(seed, 100L, 101L), 0);
      int ticks = 0;
      while (solo.node.status().role() == RaftRole.FOLLOWER) {
        solo.node.tick();
        ticks++;
      }
      assertThat(ticks).isBetween(10, 19);
    }
  }

  @Test
  void followerThatHearsFromLeaderDoesNotStartElection() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.tickAll(100);
    assertThat(c.node(1).status().role()).isEqualTo(RaftRole.LEADER);
    assertThat(c.node(1).status().term()).isEqualTo(1);
  }

  @Test
  void followerStartsElectionWhenLeaderFalls() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(1);
    c.tickAll(40);
    long leaders = c.members.values().stream().filter(m -> m.id != 1)
        .filter(m -> m.node.status().role() == RaftRole.LEADER).count();
    assertThat(leaders).isEqualTo(1);
  }

  @Test
  void partitionedMemberWithPreVoteDoesNotRaiseItsTerm() {
    TestCluster c = TestCluster.ofVoters(3, true, true);
    c.elect(1);
    c.isolate(3);
    c.tickAll(100);
    assertThat(c.node(3).status().term()).isEqualTo(1);
    assertThat(c.node(3).status().role()).isEqualTo(RaftRole.PRE_CANDIDATE);
    c.heal();
    c.tickAll(5);
    assertThat(c.node(1).status().role()).isEqualTo(RaftRole.LEADER);
    assertThat(c.node(1).status().term()).isEqualTo(1);
    assertThat(c.node(3).status().leader()).isEqualTo(1);
  }

  @Test
  void memberInLeaseIgnoresVoteRequestsWithCheckQuorum() {
    TestCluster c = TestCluster.ofVoters(3, false, true);
    c.elect(1);
    c.node(3).campaign();
    c.stabilize();
    // Node 2 heard from the leader recently and ignores 3; 1 steps down to term 2 on seeing it
    // but does not vote for it either since vote requests in lease are dropped.
    assertThat(c.node(3).status().role()).isNotEqualTo(RaftRole.LEADER);
  }

  @Test
  void leaderStepsDownWhenQuorumIsLost() {
    TestCluster c = TestCluster.ofVoters(3, false, true);
    c.elect(1);
    c.isolate(1);
    for (int i = 0; i < 25; i++) {
      c.node(1).tick();
      c.stabilize();
    }
    assertThat(c.node(1).status().role()).isEqualTo(RaftRole.FOLLOWER);
  }

  @Test
  void staleLeaderStepsDownOnHigherTermResponse() {
    TestCluster c = TestCluster.ofVoters(3);
    c.elect(1);
    c.isolate(1);
    c.elect(2);
    c.heal();
    c.node(1).propose(TestCluster.bytes("stale"));
    c.stabilize();
    // Without pre-vote or check-quorum the others ignore the stale append; the new leader's next
    // heartbeat carries the higher term.
    c.tickAll(1);
    assertThat(c.node(1).status().role()).isEqualTo(RaftRole.FOLLOWER);
    assertThat(c.node(1).status().leader()).isEqualTo(2);
    assertThat(c.member(1).appliedData()).isEmpty();
  }

  static Message voteRequest(long from, long to, long term, long lastIndex, long lastTerm) {
    return Message.newBuilder().setType(MessageType.MSG_VOTE).setFrom(from).setTo(to).setTerm(term)
        .setIndex(lastIndex).setLogTerm(lastTerm).build();
  }
}
