package io.strata.lease;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The lessor's part of a state-machine snapshot: the replicated state of every lease.
 *
 * <p>Byte layout (big-endian, as {@link DataOutput} writes it):
 * <pre>
 *   int   magic 0x53544c53 ("STLS")
 *   int   format version, 1
 *   int   lease count
 *   per lease, in ascending id order:
 *     long  id
 *     long  granted TTL, seconds
 *     long  remaining TTL of the last checkpoint, seconds (0 = none)
 *     int   attached key count
 *     per key, in ascending unsigned byte order:
 *       int   length
 *       byte[length]
 * </pre>
 * Leases and keys are written in a fixed order so that every member writes the same bytes for
 * the same state, which lets snapshots be compared and hashed. Expiry times are not written:
 * they belong to one primary's clock and mean nothing on another member.
 */
final class LessorSnapshot {
    static final int MAGIC = 0x53544c53;
    static final int FORMAT_VERSION = 1;
    // A key longer than this cannot have come through a request, so the input is corrupt.
    static final int MAX_KEY_BYTES = 64 * 1024 * 1024;

    private LessorSnapshot() {
    }

    static void write(List<LeaseEntry> leasesById, DataOutput out) throws IOException {
        out.writeInt(MAGIC);
        out.writeInt(FORMAT_VERSION);
        out.writeInt(leasesById.size());
        long previousId = Long.MIN_VALUE;
        boolean first = true;
        for (LeaseEntry lease : leasesById) {
            Invariants.check(first || lease.id > previousId, "snapshot leases out of order at %d", lease.id);
            first = false;
            previousId = lease.id;
            out.writeLong(lease.id);
            out.writeLong(lease.ttlSeconds);
            out.writeLong(lease.remainingTtlSeconds);
            List<ByteKey> keys = lease.sortedKeys();
            out.writeInt(keys.size());
            for (ByteKey key : keys) {
                byte[] bytes = key.toByteArray();
                out.writeInt(bytes.length);
                out.write(bytes);
            }
        }
    }

    /**
     * Reads leases written by {@link #write}, raising TTLs below {@code minTtlSeconds} to it as a
     * grant would (the minimum may have been raised since the snapshot was taken).
     */
    static List<LeaseEntry> read(DataInput in, long minTtlSeconds) throws IOException {
        int magic = in.readInt();
        if (magic != MAGIC) {
            throw new IOException(String.format("not a lease snapshot: magic 0x%08x", magic));
        }
        int version = in.readInt();
        if (version != FORMAT_VERSION) {
            throw new IOException("unsupported lease snapshot version " + version);
        }
        int leaseCount = in.readInt();
        if (leaseCount < 0) {
            throw new IOException("negative lease count " + leaseCount);
        }
        List<LeaseEntry> leases = new ArrayList<>(Math.min(leaseCount, 1 << 16));
        Set<Long> ids = new HashSet<>();
        Set<ByteKey> allKeys = new HashSet<>();
        for (int i = 0; i < leaseCount; i++) {
            long id = in.readLong();
            long ttlSeconds = in.readLong();
            long remainingTtlSeconds = in.readLong();
            if (id == Lessor.NO_LEASE || !ids.add(id)) {
                throw new IOException("invalid or repeated lease id " + id);
            }
            if (ttlSeconds > Lessor.MAX_LEASE_TTL_SECONDS || remainingTtlSeconds < 0
                    || remainingTtlSeconds > Lessor.MAX_LEASE_TTL_SECONDS) {
                throw new IOException("lease " + id + " has TTL " + ttlSeconds + " remaining " + remainingTtlSeconds);
            }
            LeaseEntry lease = new LeaseEntry(id, Math.max(ttlSeconds, minTtlSeconds), remainingTtlSeconds);
            int keyCount = in.readInt();
            if (keyCount < 0) {
                throw new IOException("lease " + id + " has negative key count " + keyCount);
            }
            for (int k = 0; k < keyCount; k++) {
                int length = in.readInt();
                if (length < 0 || length > MAX_KEY_BYTES) {
                    throw new IOException("lease " + id + " has a key of length " + length);
                }
                byte[] bytes = new byte[length];
                in.readFully(bytes);
                ByteKey key = ByteKey.copyOf(bytes);
                if (!allKeys.add(key)) {
                    throw new IOException("key " + key + " is attached to more than one lease");
                }
                lease.keys.add(key);
            }
            leases.add(lease);
        }
        return leases;
    }
}
