package io.strata.lease;

/**
 * One lease's remaining TTL, recorded through Raft so that a new primary starts the lease from
 * what was left of it rather than from its full TTL.
 *
 * @param id the lease id
 * @param remainingTtlSeconds the remaining TTL; 0 clears an earlier checkpoint (after a renewal)
 */
public record Checkpoint(long id, long remainingTtlSeconds) {
}
