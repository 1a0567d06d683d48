package io.strata.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LessorCheckpointTest {
    private static final long INTERVAL_MILLIS = 60_000;
    private static final LessorOptions OPTIONS = new LessorOptions(2, 500, INTERVAL_MILLIS);

    /** Applies checkpoints on every member, as a Raft entry would. */
    private static void applyEverywhere(List<Checkpoint> checkpoints, long nowMillis, Lessor... members) {
        for (Checkpoint checkpoint : checkpoints) {
            for (Lessor member : members) {
                member.applyCheckpoint(checkpoint.id(), checkpoint.remainingTtlSeconds(), nowMillis);
            }
        }
    }

    private static void grantEverywhere(long id, long ttlSeconds, long nowMillis, Lessor... members) {
        for (Lessor member : members) {
            member.grant(id, ttlSeconds, nowMillis);
        }
    }

    @Test
    void primaryCheckpointsLongLeasesEveryInterval() {
        Lessor leader = new Lessor(OPTIONS);
        leader.promote(0, 0);
        leader.grant(1, 300, 0);
        leader.grant(2, 30, 0); // shorter than the interval: never checkpointed

        assertThat(leader.checkpointsDue(59_999, 100)).isEmpty();
        List<Checkpoint> due = leader.checkpointsDue(60_000, 100);
        assertThat(due).containsExactly(new Checkpoint(1, 240));
        applyEverywhere(due, 60_100, leader);

        assertThat(leader.checkpointsDue(120_099, 100)).isEmpty();
        assertThat(leader.checkpointsDue(120_100, 100)).containsExactly(new Checkpoint(1, 180));
    }

    @Test
    void checkpointRestoresRemainingTtlOnANewLeader() {
        Lessor leader = new Lessor(OPTIONS);
        Lessor follower = new Lessor(OPTIONS);
        leader.promote(0, 0);
        grantEverywhere(1, 300, 0, leader, follower);

        applyEverywhere(leader.checkpointsDue(60_000, 100), 60_000, leader, follower);
        assertThat(follower.timeToLive(1, 60_000, false).orElseThrow().remainingTtlSeconds()).isEqualTo(240);

        leader.demote();
        follower.promote(100_000, 1_000);
        // Without the checkpoint the lease would restart from 300 s and live until 401 s.
        assertThat(follower.expiryMillisOf(1)).isEqualTo(341_000);
        assertThat(follower.expiredLeases(340_999, 10)).isEmpty();
        assertThat(follower.expiredLeases(341_000, 10)).containsExactly(1L);
    }

    @Test
    void renewalClearsAStaleCheckpointThroughRaft() {
        Lessor leader = new Lessor(OPTIONS);
        Lessor follower = new Lessor(OPTIONS);
        leader.promote(0, 0);
        grantEverywhere(1, 300, 0, leader, follower);
        applyEverywhere(leader.checkpointsDue(60_000, 100), 60_000, leader, follower);

        leader.renew(1, 70_000);
        List<Checkpoint> due = leader.checkpointsDue(70_000, 100);
        assertThat(due).containsExactly(new Checkpoint(1, 0));
        applyEverywhere(due, 70_000, leader, follower);
        assertThat(leader.checkpointsDue(70_000, 100)).isEmpty();

        leader.demote();
        follower.promote(80_000, 1_000);
        assertThat(follower.expiryMillisOf(1)).isEqualTo(381_000);
    }

    @Test
    void renewalWithoutACheckpointQueuesNoClear() {
        Lessor leader = new Lessor(OPTIONS);
        leader.promote(0, 0);
        leader.grant(1, 300, 0);
        leader.renew(1, 10_000);
        assertThat(leader.checkpointsDue(10_000, 100)).isEmpty();
    }

    @Test
    void recentlyRenewedLeaseIsSkippedButCheckpointedLater() {
        Lessor leader = new Lessor(OPTIONS);
        leader.promote(0, 0);
        leader.grant(1, 300, 0);
        leader.renew(1, 59_800);

        // 300 s remain (rounded up): nothing to record yet.
        assertThat(leader.checkpointsDue(60_000, 100)).isEmpty();
        assertThat(leader.checkpointsDue(120_000, 100)).containsExactly(new Checkpoint(1, 240));
    }

    @Test
    void checkpointsAreBoundedPerCall() {
        Lessor leader = new Lessor(OPTIONS);
        leader.promote(0, 0);
        for (long id = 1; id <= 5; id++) {
            leader.grant(id, 300, 0);
        }
        assertThat(leader.checkpointsDue(60_000, 2)).extracting(Checkpoint::id).containsExactly(1L, 2L);
        assertThat(leader.checkpointsDue(60_000, 2)).extracting(Checkpoint::id).containsExactly(3L, 4L);
        assertThat(leader.checkpointsDue(60_000, 2)).extracting(Checkpoint::id).containsExactly(5L);
    }

    @Test
    void onlyThePrimaryCheckpoints() {
        Lessor follower = new Lessor(OPTIONS);
        follower.grant(1, 300, 0);
        follower.applyCheckpoint(1, 100, 0);
        assertThat(follower.checkpointsDue(1_000_000, 100)).isEmpty();
        follower.verifyInvariants();
    }

    @Test
    void checkpointsCanBeTurnedOff() {
        Lessor leader = new Lessor(new LessorOptions(2, 500, 0));
        leader.promote(0, 0);
        leader.grant(1, 300, 0);
        assertThat(leader.checkpointsDue(1_000_000, 100)).isEmpty();
    }

    @Test
    void checkpointOfARevokedLeaseIsIgnored() {
        Lessor leader = new Lessor(OPTIONS);
        leader.promote(0, 0);
        leader.grant(1, 300, 0);
        List<Checkpoint> due = leader.checkpointsDue(60_000, 100);
        leader.revoke(1);
        applyEverywhere(due, 60_000, leader);
        assertThat(leader.exists(1)).isFalse();
        leader.verifyInvariants();
    }

    @Test
    void applyingACheckpointOnThePrimaryKeepsItsExpiry() {
        Lessor leader = new Lessor(OPTIONS);
        leader.promote(0, 0);
        leader.grant(1, 300, 0);
        leader.applyCheckpoint(1, 10, 5_000);
        assertThat(leader.expiryMillisOf(1)).isEqualTo(300_000);
    }
}
