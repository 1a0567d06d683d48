package io.strata.lease;

/**
 * The lessor's settings, validated once when they are built.
 *
 * @param minTtlSeconds grants below this TTL are raised to it, so that a lease cannot expire
 *     during a leader election; see {@link #minTtlSeconds(int, long)}
 * @param maxExpiredPerCall the most expired leases one {@link Lessor#expiredLeases} call returns,
 *     which bounds the revokes the server proposes per round (etcd revokes at most 500 per
 *     half-second round)
 * @param checkpointIntervalMillis how often the primary records a long lease's remaining TTL
 *     (etcd's {@code --experimental-lease-checkpoint-interval}, 5 minutes by default); 0 turns
 *     scheduled checkpoints off
 * @param expiredRetryMillis how long an expired lease that was reported but not yet revoked
 *     waits before it is reported again, so a revoke lost in a leader change is retried without
 *     proposing the same revoke every round
 * @param maxRevokesPerSecond the revoke rate the primary plans for when it spreads out the
 *     expiries of leases that would all fall due together after a promotion
 */
public record LessorOptions(
        long minTtlSeconds,
        int maxExpiredPerCall,
        long checkpointIntervalMillis,
        long expiredRetryMillis,
        int maxRevokesPerSecond) {

    public static final long DEFAULT_CHECKPOINT_INTERVAL_MILLIS = 5 * 60 * 1000L;
    public static final long DEFAULT_EXPIRED_RETRY_MILLIS = 3_000L;
    public static final int DEFAULT_MAX_REVOKES_PER_SECOND = 1_000;
    public static final int DEFAULT_MAX_EXPIRED_PER_CALL = DEFAULT_MAX_REVOKES_PER_SECOND / 2;

    public LessorOptions {
        if (minTtlSeconds < 1 || minTtlSeconds > Lessor.MAX_LEASE_TTL_SECONDS) {
            throw new IllegalArgumentException("minTtlSeconds out of range: " + minTtlSeconds);
        }
        if (maxExpiredPerCall < 1) {
            throw new IllegalArgumentException("maxExpiredPerCall must be positive: " + maxExpiredPerCall);
        }
        if (checkpointIntervalMillis < 0) {
            throw new IllegalArgumentException("checkpointIntervalMillis is negative: " + checkpointIntervalMillis);
        }
        if (expiredRetryMillis < 1) {
            throw new IllegalArgumentException("expiredRetryMillis must be positive: " + expiredRetryMillis);
        }
        if (maxRevokesPerSecond < 2) {
            throw new IllegalArgumentException("maxRevokesPerSecond must be at least 2: " + maxRevokesPerSecond);
        }
    }

    /** Options with the given three settings and the default retry interval and revoke rate. */
    public LessorOptions(long minTtlSeconds, int maxExpiredPerCall, long checkpointIntervalMillis) {
        this(minTtlSeconds, maxExpiredPerCall, checkpointIntervalMillis,
                DEFAULT_EXPIRED_RETRY_MILLIS, DEFAULT_MAX_REVOKES_PER_SECOND);
    }

    /** etcd's defaults: a 100 ms heartbeat and a 1 s election timeout give a 2 s minimum TTL. */
    public static LessorOptions defaults() {
        return new LessorOptions(minTtlSeconds(10, 100), DEFAULT_MAX_EXPIRED_PER_CALL,
                DEFAULT_CHECKPOINT_INTERVAL_MILLIS);
    }

    /**
     * The minimum lease TTL etcd derives from its Raft timing: one and a half election timeouts
     * (counted in whole ticks), rounded up to whole seconds. A lease shorter than that could
     * expire while the cluster is still electing the leader that would renew it.
     *
     * @param electionTicks the election timeout in heartbeat ticks ({@code --election-timeout}
     *     divided by {@code --heartbeat-interval})
     * @param heartbeatMillis the tick length ({@code --heartbeat-interval})
     */
    public static long minTtlSeconds(int electionTicks, long heartbeatMillis) {
        if (electionTicks < 1 || heartbeatMillis < 1) {
            throw new IllegalArgumentException(
                    "electionTicks and heartbeatMillis must be positive: " + electionTicks + ", " + heartbeatMillis);
        }
        long minTtlMillis = ((3L * electionTicks) / 2) * heartbeatMillis;
        return Math.max(1, Math.floorDiv(minTtlMillis + 999, 1000));
    }
}
