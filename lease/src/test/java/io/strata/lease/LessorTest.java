package io.strata.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class LessorTest {
    private static final LessorOptions OPTIONS = new LessorOptions(2, 500, 0);

    private static Lessor primaryLessor(long nowMillis) {
        Lessor lessor = new Lessor(OPTIONS);
        lessor.promote(nowMillis, 0);
        return lessor;
    }

    private static LeaseError errorOf(Runnable call) {
        try {
            call.run();
        } catch (LeaseException e) {
            return e.error();
        }
        throw new AssertionError("expected a LeaseException");
    }

    @Test
    void grantReportsTheIdAndTtl() {
        Lessor lessor = primaryLessor(0);
        assertThat(lessor.grant(7, 30, 0)).isEqualTo(new Lease(7, 30));
        assertThat(lessor.exists(7)).isTrue();
        assertThat(lessor.leases()).containsExactly(7L);
    }

    @Test
    void grantRaisesTtlBelowTheMinimum() {
        Lessor lessor = primaryLessor(0);
        assertThat(lessor.grant(1, 1, 0).ttlSeconds()).isEqualTo(2);
        assertThat(lessor.grant(2, 0, 0).ttlSeconds()).isEqualTo(2);
        assertThat(lessor.grant(3, -5, 0).ttlSeconds()).isEqualTo(2);
        assertThat(lessor.grant(4, 2, 0).ttlSeconds()).isEqualTo(2);
    }

    @Test
    void minimumTtlFollowsEtcdsFormula() {
        // etcd defaults: 100 ms heartbeat, 1000 ms election timeout = 10 ticks -> 1.5 s -> 2 s.
        assertThat(LessorOptions.minTtlSeconds(10, 100)).isEqualTo(2);
        assertThat(LessorOptions.defaults().minTtlSeconds()).isEqualTo(2);
        // Integer division of ticks first, as etcd does: 3 * 5 / 2 = 7 ticks of 500 ms = 3.5 s.
        assertThat(LessorOptions.minTtlSeconds(5, 500)).isEqualTo(4);
        assertThat(LessorOptions.minTtlSeconds(20, 100)).isEqualTo(3);
    }

    @Test
    void grantAboveMaxTtlFails() {
        Lessor lessor = primaryLessor(0);
        assertThat(errorOf(() -> lessor.grant(1, Lessor.MAX_LEASE_TTL_SECONDS + 1, 0)))
                .isEqualTo(LeaseError.TTL_TOO_LARGE);
        assertThat(lessor.grant(2, Lessor.MAX_LEASE_TTL_SECONDS, 0).ttlSeconds())
                .isEqualTo(Lessor.MAX_LEASE_TTL_SECONDS);
        assertThat(lessor.leases()).containsExactly(2L);
    }

    @Test
    void grantOfAnExistingIdFails() {
        Lessor lessor = primaryLessor(0);
        lessor.grant(5, 10, 0);
        assertThat(errorOf(() -> lessor.grant(5, 20, 0))).isEqualTo(LeaseError.EXISTS);
        assertThat(lessor.timeToLive(5, 0, false).orElseThrow().grantedTtlSeconds()).isEqualTo(10);
    }

    @Test
    void grantOfIdZeroFailsAsNotFound() {
        Lessor lessor = primaryLessor(0);
        assertThat(errorOf(() -> lessor.grant(Lessor.NO_LEASE, 10, 0))).isEqualTo(LeaseError.NOT_FOUND);
    }

    @Test
    void errorsCarryEtcdsMessagesAndCodes() {
        assertThat(LeaseError.NOT_FOUND.message()).isEqualTo("etcdserver: requested lease not found");
        assertThat(LeaseError.NOT_FOUND.grpcCode()).isEqualTo("NOT_FOUND");
        assertThat(LeaseError.EXISTS.message()).isEqualTo("etcdserver: lease already exists");
        assertThat(LeaseError.EXISTS.grpcCode()).isEqualTo("FAILED_PRECONDITION");
        assertThat(LeaseError.TTL_TOO_LARGE.message()).isEqualTo("etcdserver: too large lease TTL");
        assertThat(LeaseError.TTL_TOO_LARGE.grpcCode()).isEqualTo("OUT_OF_RANGE");
        LeaseException e = new LeaseException(LeaseError.EXISTS, 9);
        assertThat(e.leaseId()).isEqualTo(9);
        assertThat(e.getMessage()).startsWith("etcdserver: lease already exists");
    }

    @Test
    void revokeRemovesTheLeaseAndReportsItsKeysSorted() {
        Lessor lessor = primaryLessor(0);
        lessor.grant(1, 10, 0);
        lessor.attach(1, ByteKey.utf8("b"));
        lessor.attach(1, ByteKey.utf8("a"));
        lessor.attach(1, ByteKey.copyOf(new byte[] {(byte) 0xff}));
        lessor.attach(1, ByteKey.utf8("a/1"));

        RevokedLease revoked = lessor.revoke(1);

        assertThat(revoked.id()).isEqualTo(1);
        assertThat(revoked.keys()).containsExactly(ByteKey.utf8("a"), ByteKey.utf8("a/1"), ByteKey.utf8("b"),
                ByteKey.copyOf(new byte[] {(byte) 0xff}));
        assertThat(lessor.exists(1)).isFalse();
        assertThat(lessor.leaseOf(ByteKey.utf8("a"))).isEqualTo(Lessor.NO_LEASE);
        assertThat(lessor.timeToLive(1, 0, true)).isEmpty();
        lessor.verifyInvariants();
    }

    @Test
    void revokeOfAMissingLeaseFails() {
        Lessor lessor = primaryLessor(0);
        assertThat(errorOf(() -> lessor.revoke(3))).isEqualTo(LeaseError.NOT_FOUND);
    }

    @Test
    void revokeWorksOnAFollower() {
        Lessor follower = new Lessor(OPTIONS);
        follower.grant(1, 10, 0);
        assertThat(follower.revoke(1).keys()).isEmpty();
        assertThat(follower.leases()).isEmpty();
    }

    @Test
    void renewReturnsTheTtlAndRestartsTheCountdown() {
        Lessor lessor = primaryLessor(0);
        lessor.grant(1, 10, 0);
        assertThat(lessor.timeToLive(1, 7_000, false).orElseThrow().remainingTtlSeconds()).isEqualTo(3);

        assertThat(lessor.renew(1, 7_000)).isEqualTo(10);

        assertThat(lessor.timeToLive(1, 7_000, false).orElseThrow().remainingTtlSeconds()).isEqualTo(10);
        assertThat(lessor.expiryMillisOf(1)).isEqualTo(17_000);
    }

    @Test
    void renewOfAMissingLeaseFails() {
        Lessor lessor = primaryLessor(0);
        assertThat(errorOf(() -> lessor.renew(4, 0))).isEqualTo(LeaseError.NOT_FOUND);
    }

    @Test
    void renewOnAFollowerFailsAsNotPrimary() {
        Lessor follower = new Lessor(OPTIONS);
        follower.grant(1, 10, 0);
        assertThat(errorOf(() -> follower.renew(1, 0))).isEqualTo(LeaseError.NOT_PRIMARY);
        assertThat(LeaseError.NOT_PRIMARY.grpcCode()).isEqualTo("UNAVAILABLE");
    }

    @Test
    void renewOfAnExpiredLeaseFailsUntilItIsRevoked() {
        Lessor lessor = primaryLessor(0);
        lessor.grant(1, 10, 0);
        assertThat(errorOf(() -> lessor.renew(1, 10_000))).isEqualTo(LeaseError.EXPIRED);
        assertThat(LeaseError.EXPIRED.message()).isEqualTo(LeaseError.NOT_FOUND.message());
        lessor.revoke(1);
        assertThat(errorOf(() -> lessor.renew(1, 10_000))).isEqualTo(LeaseError.NOT_FOUND);
    }

    @Test
    void timeToLiveReportsGrantedAndRemainingTtlAndKeys() {
        Lessor lessor = primaryLessor(1_000);
        lessor.grant(1, 60, 1_000);
        lessor.attach(1, ByteKey.utf8("k2"));
        lessor.attach(1, ByteKey.utf8("k1"));

        LeaseStatus status = lessor.timeToLive(1, 21_500, true).orElseThrow();

        assertThat(status.id()).isEqualTo(1);
        assertThat(status.grantedTtlSeconds()).isEqualTo(60);
        assertThat(status.remainingTtlSeconds()).isEqualTo(39); // 39.5 s rounds down, as in etcd
        assertThat(status.keys()).containsExactly(ByteKey.utf8("k1"), ByteKey.utf8("k2"));
        assertThat(lessor.timeToLive(1, 21_500, false).orElseThrow().keys()).isEmpty();
        assertThat(lessor.timeToLive(1, 99_000, false).orElseThrow().remainingTtlSeconds()).isZero();
        assertThat(lessor.timeToLive(2, 0, false)).isEmpty();
    }

    @Test
    void leasesListsEveryIdInOrder() {
        Lessor lessor = new Lessor(OPTIONS);
        for (long id : List.of(30L, -4L, 7L, 1000L)) {
            lessor.grant(id, 10, 0);
        }
        assertThat(lessor.leases()).containsExactly(-4L, 7L, 30L, 1000L);
        assertThat(lessor.size()).isEqualTo(4);
    }

    @Test
    void optionsRejectNonsense() {
        assertThatThrownBy(() -> new LessorOptions(0, 10, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LessorOptions(2, 0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LessorOptions(2, 10, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new LessorOptions(2, 10, 0, 0, 1000)).isInstanceOf(IllegalArgumentException.class);
    }
}
