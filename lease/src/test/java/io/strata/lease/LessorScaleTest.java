package io.strata.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Tens of thousands of leases with frequent keep-alives stay cheap: nothing here is O(n) per call. */
class LessorScaleTest {
    @Test
    @Timeout(20)
    void manyLeasesWithFrequentKeepAlivesStayCheap() {
        int leaseCount = 20_000;
        Lessor lessor = new Lessor(new LessorOptions(2, 500, 60_000));
        lessor.promote(0, 0);
        for (long id = 1; id <= leaseCount; id++) {
            lessor.grant(id, 10, 0);
        }
        Random random = new Random(7);
        long now = 0;
        // Every lease is renewed every few seconds, so none should ever expire.
        for (int round = 0; round < 100; round++) {
            now += 100;
            for (int i = 0; i < 2_000; i++) {
                long id = 1 + ((round * 2_000L + i) % leaseCount);
                lessor.renew(id, now);
            }
            assertThat(lessor.expiredLeases(now, 500)).isEmpty();
            lessor.checkpointsDue(now, 1_000);
            lessor.timeToLive(1 + random.nextInt(leaseCount), now, false);
        }
        // Then keep-alives stop: all expire, 500 per call, earliest first.
        now += 20_000;
        int expired = 0;
        long previousExpiry = Long.MIN_VALUE;
        while (true) {
            List<Long> batch = lessor.expiredLeases(now, 500);
            if (batch.isEmpty()) {
                break;
            }
            assertThat(batch.size()).isLessThanOrEqualTo(500);
            for (long id : batch) {
                long expiry = lessor.expiryMillisOf(id);
                assertThat(expiry).isGreaterThanOrEqualTo(previousExpiry);
                previousExpiry = expiry;
                lessor.revoke(id);
            }
            expired += batch.size();
        }
        assertThat(expired).isEqualTo(leaseCount);
        lessor.verifyInvariants();
    }

    @Test
    @Timeout(20)
    void promotionOfManyLeasesIsBoundedByTheRevokeRate() {
        Lessor lessor = new Lessor(new LessorOptions(2, 500, 0));
        for (long id = 1; id <= 20_000; id++) {
            lessor.grant(id, 30, 0);
        }
        lessor.promote(0, 1_000);
        lessor.verifyInvariants();
        // All 20,000 leases would expire at 31 s; at most 750 per second may, so the last are
        // spread over about 27 seconds.
        int[] perSecond = new int[64];
        for (long id = 1; id <= 20_000; id++) {
            perSecond[(int) (lessor.expiryMillisOf(id) / 1000)]++;
        }
        for (int count : perSecond) {
            assertThat(count).isLessThanOrEqualTo(751);
        }
    }
}
