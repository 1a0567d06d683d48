package io.strata.raft;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A follower told that its leader's process is gone (its connections closed, a new one refused)
 * elects a new leader without waiting for the election timeout, and a false report deposes
 * nobody.
 */
class GoneLeaderTest {

  @Test
  void followersToldTheLeaderIsGoneElectOneOfThemWithoutATick() {
    TestCluster c = leaderKilledAndReportedGone(true);
    c.stabilize();
    assertThat(c.node(2).status().leader()).isZero();

    c.node(2).campaignAfterLeaderGone();
    c.stabilize();

    assertThat(c.node(2).status().role()).isEqualTo(RaftRole.LEADER);
    assertThat(c.node(2).status().term()).isEqualTo(2);
    assertThat(c.node(3).status().leader()).isEqualTo(2);
  }

  @Test
  void worksWithoutPreVoteToo() {
    TestCluster c = leaderKilledAndReportedGone(false);
    c.node(3).campaignAfterLeaderGone();
    c.stabilize();
    assertThat(c.node(3).status().role()).isEqualTo(RaftRole.LEADER);
  }

  @Test
  void aFalseReportToOneFollowerDeposesNobody() {
    TestCluster c = TestCluster.ofVoters(3, true, true);
    c.elect(1);
    assertThat(c.node(2).reportPeerGone(1)).isTrue();
    c.node(2).campaignAfterLeaderGone();
    c.stabilize();
    // Member 3 still hears from the leader and refuses the pre-vote; the term never moved.
    assertThat(c.node(1).status().role()).isEqualTo(RaftRole.LEADER);
    assertThat(c.node(1).status().term()).isEqualTo(1);

    c.tickAll(1);
    assertThat(c.node(2).status().leader()).isEqualTo(1);
    assertThat(c.node(2).status().role()).isEqualTo(RaftRole.FOLLOWER);
  }

  @Test
  void aLeaderHeardFromAgainCancelsTheCampaign() {
    TestCluster c = TestCluster.ofVoters(3, true, true);
    c.elect(1);
    c.node(2).reportPeerGone(1);
    c.tickAll(1);
    assertThat(c.node(2).status().leader()).isEqualTo(1);

    c.node(2).campaignAfterLeaderGone();
    c.stabilize();

    assertThat(c.node(2).status().role()).isEqualTo(RaftRole.FOLLOWER);
    assertThat(c.node(2).status().term()).isEqualTo(1);
  }

  @Test
  void aFollowerThatVotedInANewerElectionDoesNotStartAnother() {
    TestCluster c = leaderKilledAndReportedGone(true);
    c.node(3).campaignAfterLeaderGone();
    c.stabilize();
    assertThat(c.node(3).status().role()).isEqualTo(RaftRole.LEADER);

    c.node(2).campaignAfterLeaderGone();
    c.stabilize();

    assertThat(c.node(3).status().role()).isEqualTo(RaftRole.LEADER);
    assertThat(c.node(2).status().term()).isEqualTo(2);
  }

  @Test
  void onlyTheLeaderBeingGoneCounts() {
    TestCluster c = TestCluster.ofVoters(3, true, true);
    c.elect(1);
    assertThat(c.node(2).reportPeerGone(3)).isFalse();
    assertThat(c.node(1).reportPeerGone(2)).isFalse();
    assertThat(c.node(2).status().leader()).isEqualTo(1);
    c.node(2).campaignAfterLeaderGone();
    c.stabilize();
    assertThat(c.node(1).status().role()).isEqualTo(RaftRole.LEADER);
    assertThat(c.node(2).status().term()).isEqualTo(1);
  }

  /** Three voters whose leader 1 was cut off, and both followers told it is gone. */
  private static TestCluster leaderKilledAndReportedGone(boolean preVote) {
    TestCluster c = TestCluster.ofVoters(3, preVote, true);
    c.elect(1);
    c.isolate(1);
    assertThat(c.node(2).reportPeerGone(1)).isTrue();
    assertThat(c.node(3).reportPeerGone(1)).isTrue();
    return c;
  }
}
