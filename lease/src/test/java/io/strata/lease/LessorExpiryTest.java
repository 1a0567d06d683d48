package io.strata.lease;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LessorExpiryTest {
    private static final LessorOptions OPTIONS = new LessorOptions(2, 500, 0, 3_000, 1_000);

    private static Lessor primaryLessor() {
        Lessor lessor = new Lessor(OPTIONS);
        lessor.promote(0, 0);
        return lessor;
    }

    @Test
    void nothingExpiresBeforeItsTtl() {
        Lessor lessor = primaryLessor();
        lessor.grant(1, 10, 0);
        assertThat(lessor.expiredLeases(9_999, 100)).isEmpty();
        assertThat(lessor.expiredLeases(10_000, 100)).containsExactly(1L);
    }

    @Test
    void expiredLeasesComeEarliestFirst() {
        Lessor lessor = primaryLessor();
        lessor.grant(1, 30, 0);
        lessor.grant(2, 10, 0);
        lessor.grant(3, 20, 0);
        lessor.grant(4, 10, 0);
        lessor.grant(5, 40, 0);
        assertThat(lessor.expiredLeases(35_000, 100)).containsExactly(2L, 4L, 3L, 1L);
    }

    @Test
    void expiredLeasesAreBoundedPerCall() {
        Lessor lessor = new Lessor(new LessorOptions(2, 3, 0));
        lessor.promote(0, 0);
        for (long id = 1; id <= 10; id++) {
            lessor.grant(id, 5 + id, 0);
        }
        assertThat(lessor.expiredLeases(60_000, 100)).containsExactly(1L, 2L, 3L);
        assertThat(lessor.expiredLeases(60_000, 2)).containsExactly(4L, 5L);
        assertThat(lessor.expiredLeases(60_000, 100)).containsExactly(6L, 7L, 8L);
        assertThat(lessor.expiredLeases(60_000, 100)).containsExactly(9L, 10L);
        assertThat(lessor.expiredLeases(60_000, 100)).isEmpty();
        lessor.verifyInvariants();
    }

    @Test
    void reportedLeaseIsReportedAgainOnlyAfterTheRetryInterval() {
        Lessor lessor = primaryLessor();
        lessor.grant(1, 10, 0);
        assertThat(lessor.expiredLeases(10_000, 100)).containsExactly(1L);
        assertThat(lessor.expiredLeases(12_999, 100)).isEmpty();
        assertThat(lessor.expiredLeases(13_000, 100)).containsExactly(1L);
        lessor.revoke(1);
        assertThat(lessor.expiredLeases(99_000, 100)).isEmpty();
    }

    @Test
    void renewPushesExpiryBack() {
        Lessor lessor = primaryLessor();
        lessor.grant(1, 10, 0);
        lessor.grant(2, 10, 0);
        lessor.renew(1, 8_000);
        assertThat(lessor.expiredLeases(10_000, 100)).containsExactly(2L);
        lessor.revoke(2);
        assertThat(lessor.expiredLeases(17_999, 100)).isEmpty();
        assertThat(lessor.expiredLeases(18_000, 100)).containsExactly(1L);
    }

    @Test
    void onlyThePrimaryExpiresLeases() {
        Lessor follower = new Lessor(OPTIONS);
        follower.grant(1, 10, 0);
        assertThat(follower.expiredLeases(Long.MAX_VALUE / 2, 100)).isEmpty();
        assertThat(follower.isPrimary()).isFalse();
        follower.verifyInvariants();
    }

    @Test
    void demotionStopsExpiryTracking() {
        Lessor lessor = primaryLessor();
        lessor.grant(1, 10, 0);
        lessor.demote();
        assertThat(lessor.isPrimary()).isFalse();
        assertThat(lessor.expiredLeases(1_000_000, 100)).isEmpty();
        assertThat(lessor.timeToLive(1, 1_000_000, false).orElseThrow().remainingTtlSeconds()).isEqualTo(10);
        lessor.verifyInvariants();
    }

    @Test
    void followerGrantStartsExpiringOnPromotion() {
        Lessor lessor = new Lessor(OPTIONS);
        lessor.grant(1, 10, 0);
        lessor.promote(50_000, 0);
        assertThat(lessor.expiredLeases(59_999, 100)).isEmpty();
        assertThat(lessor.expiredLeases(60_000, 100)).containsExactly(1L);
    }

    @Test
    void promotionExtendsEveryLeaseSoNoneExpiresEarlyAfterALeaderChange() {
        Lessor oldLeader = primaryLessor();
        Lessor newLeader = new Lessor(OPTIONS);
        for (Lessor lessor : new Lessor[] {oldLeader, newLeader}) {
            lessor.grant(1, 10, 0);
            lessor.grant(2, 60, 0);
        }
        // The client renewed lease 1 on the old leader at 9 s, just before the leader was lost.
        oldLeader.renew(1, 9_000);
        oldLeader.demote();
        // A new leader is elected at 9.5 s; the election timeout is 1 s.
        newLeader.promote(9_500, 1_000);

        assertThat(newLeader.expiredLeases(20_499, 100)).isEmpty();
        assertThat(newLeader.expiryMillisOf(1)).isEqualTo(20_500);
        assertThat(newLeader.expiryMillisOf(2)).isEqualTo(70_500);
        assertThat(newLeader.timeToLive(1, 9_500, false).orElseThrow().remainingTtlSeconds()).isEqualTo(11);
        assertThat(newLeader.expiredLeases(20_500, 100)).containsExactly(1L);
    }

    @Test
    void promotionSpreadsExpiriesThatWouldPileUp() {
        LessorOptions options = new LessorOptions(2, 500, 0, 3_000, 100);
        Lessor lessor = new Lessor(options);
        for (long id = 1; id <= 300; id++) {
            lessor.grant(id, 10, 0);
        }
        lessor.promote(0, 1_000);
        lessor.verifyInvariants();

        // 75 leases may expire per second; the rest are pushed into later seconds.
        long[] perSecond = new long[40];
        for (long id = 1; id <= 300; id++) {
            long expiry = lessor.expiryMillisOf(id);
            assertThat(expiry).isGreaterThanOrEqualTo(11_000);
            perSecond[(int) ((expiry - 11_000) / 1000)]++;
        }
        for (long count : perSecond) {
            assertThat(count).isLessThanOrEqualTo(76);
        }
        assertThat(perSecond[0]).isGreaterThanOrEqualTo(75);
    }

    @Test
    void promotionDoesNotSpreadFewLeases() {
        Lessor lessor = new Lessor(OPTIONS);
        for (long id = 1; id <= 100; id++) {
            lessor.grant(id, 10, 0);
        }
        lessor.promote(0, 1_000);
        for (long id = 1; id <= 100; id++) {
            assertThat(lessor.expiryMillisOf(id)).isEqualTo(11_000);
        }
    }

    @Test
    void hugeTtlsDoNotOverflow() {
        Lessor lessor = new Lessor(OPTIONS);
        lessor.grant(1, Lessor.MAX_LEASE_TTL_SECONDS, 0);
        lessor.promote(Long.MAX_VALUE - 10, Long.MAX_VALUE / 2);
        assertThat(lessor.expiredLeases(Long.MAX_VALUE - 1, 10)).isEmpty();
        lessor.verifyInvariants();
    }
}
