package io.strata.lease;

import java.util.List;

/**
 * What a TimeToLive request reports about one lease.
 *
 * @param id the lease id
 * @param grantedTtlSeconds the TTL the lease was granted with
 * @param remainingTtlSeconds seconds until the lease expires, never negative; on a member that is
 *     not the primary (which does not track expiry) the remaining TTL of the last checkpoint,
 *     or the granted TTL when there was none
 * @param keys the attached keys in byte order, or empty when they were not asked for
 */
public record LeaseStatus(long id, long grantedTtlSeconds, long remainingTtlSeconds, List<ByteKey> keys) {
    public LeaseStatus {
        keys = List.copyOf(keys);
    }
}
