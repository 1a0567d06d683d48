package io.strata.lease;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One lease's state inside the lessor.
 *
 * <p>Two kinds of state live here and must not be mixed up. The id, granted TTL, checkpointed
 * remaining TTL and attached keys are replicated: every member changes them only by applying
 * the same Raft entries, so they are the same everywhere and go into snapshots. The expiry is
 * the primary's own view of time and exists only on the primary; a follower keeps it at
 * {@link #FOREVER}.
 */
final class LeaseEntry {
    static final long FOREVER = Long.MAX_VALUE;

    final long id;
    final long ttlSeconds;
    // 0 means no checkpoint: a promotion then starts the lease from its full TTL.
    long remainingTtlSeconds;
    // Invariant: FOREVER unless the lessor is the primary.
    long expiryMillis = FOREVER;
    final Set<ByteKey> keys = new HashSet<>();

    LeaseEntry(long id, long ttlSeconds, long remainingTtlSeconds) {
        this.id = id;
        this.ttlSeconds = ttlSeconds;
        this.remainingTtlSeconds = remainingTtlSeconds;
    }

    /** The TTL a refresh starts the lease from: the last checkpoint's, or else the full one. */
    long effectiveTtlSeconds() {
        return remainingTtlSeconds > 0 ? remainingTtlSeconds : ttlSeconds;
    }

    boolean expiredAt(long nowMillis) {
        return nowMillis >= expiryMillis;
    }

    List<ByteKey> sortedKeys() {
        List<ByteKey> sorted = new ArrayList<>(keys);
        sorted.sort(null);
        return sorted;
    }
}
