package io.strata.lease;

import java.util.List;

/**
 * Spreads out expiries that a promotion piles together.
 *
 * <p>A new primary starts every lease from its remaining TTL plus the election timeout, so
 * leases whose expiries were spread over time on the old primary can all fall due in the same
 * second, more than the primary can revoke per second. Like etcd, when there are at least as
 * many leases as the revoke rate, leases are walked in expiry order and, within a one-second
 * window, those beyond three quarters of the rate are pushed later, the further beyond, the
 * later; the quarter left over keeps room for leases that expire on their own schedule.
 */
final class PromotionSpreader {
    /** Moves {@code lease}'s expiry to {@code nowMillis + extendMillis + its effective TTL}. */
    interface Refresher {
        void refresh(LeaseEntry lease, long extendMillis);
    }

    private PromotionSpreader() {
    }

    /**
     * @param byExpiry every lease, already refreshed by the promotion, in ascending expiry order
     * @param extendMillis the promotion's extension, which every delayed lease keeps
     */
    static void spread(List<LeaseEntry> byExpiry, long nowMillis, long extendMillis, int maxRevokesPerSecond,
            Refresher refresher) {
        if (byExpiry.size() < maxRevokesPerSecond) {
            return;
        }
        int targetExpiriesPerSecond = Math.max(1, (3 * maxRevokesPerSecond) / 4);
        long windowStartMillis = byExpiry.get(0).expiryMillis - nowMillis;
        long windowEndMillis = windowStartMillis + 1000;
        int expiriesInWindow = 0;
        for (LeaseEntry lease : byExpiry) {
            long remainingMillis = lease.expiryMillis - nowMillis;
            if (remainingMillis > windowEndMillis) {
                windowStartMillis = remainingMillis;
                windowEndMillis = windowStartMillis + 1000;
                expiriesInWindow = 1;
                continue;
            }
            expiriesInWindow++;
            if (expiriesInWindow <= targetExpiriesPerSecond) {
                continue;
            }
            // A lease that already lies some way into the window needs that much less delay.
            double delayMillis = 1000.0 * expiriesInWindow / targetExpiriesPerSecond
                    - (remainingMillis - windowStartMillis);
            long delay = Math.max(0, (long) delayMillis);
            windowEndMillis = windowStartMillis + delay;
            refresher.refresh(lease, Lessor.addSaturated(delay, extendMillis));
        }
    }
}
