package io.strata.lease;

import java.util.List;

/**
 * The outcome of revoking a lease: the keys the server must delete, in one revision.
 *
 * @param id the revoked lease
 * @param keys the keys that were attached to it, in byte order, so that every member deletes them
 *     in the same order
 */
public record RevokedLease(long id, List<ByteKey> keys) {
    public RevokedLease {
        keys = List.copyOf(keys);
    }
}
