package io.strata.mvcc;

/**
 * The answer to HashKV: {@code hash} is an unsigned 32-bit CRC-32C, {@code compactRevision}
 * the store's compacted revision (-1 when never compacted, as etcd reports it) and
 * {@code hashRevision} the revision the hash covers.
 */
public record HashKvResult(long hash, long compactRevision, long hashRevision) {}
