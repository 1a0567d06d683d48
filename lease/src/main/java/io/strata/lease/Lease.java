package io.strata.lease;

/**
 * A granted lease as the grant reports it.
 *
 * @param id the lease id, never 0 (0 means "no lease" on the wire)
 * @param ttlSeconds the granted TTL, after raising it to the minimum
 */
public record Lease(long id, long ttlSeconds) {
}
