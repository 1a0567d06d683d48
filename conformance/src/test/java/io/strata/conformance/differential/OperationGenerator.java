package io.strata.conformance.differential;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.ResponseHeader;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.strata.conformance.differential.KeySpace.KeyRange;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Draws the next operation of a seeded random run. It follows what the reference server
 * answered (the current revision, the last compaction, the leases granted) so that revisions
 * land in the interesting places: current, old, compacted and future. Most requests are valid;
 * a few are deliberately not, so that error codes and messages get compared too.
 */
final class OperationGenerator {
    /** Large enough that no lease expires during a run, so expiry timing never enters a result. */
    static final long LEASE_TTL_MIN_SECONDS = 1800;
    /** Client-chosen lease ids start here, so no server ever has to pick one. */
    static final long FIRST_LEASE_ID = 0x5000;

    private final Random random;
    private final KeySpace keys;
    private final TxnGenerator txns;
    private long revision = 1;
    private long compactedRevision = 0;
    private long nextLeaseId = FIRST_LEASE_ID;
    private final List<Long> grantedLeases = new ArrayList<>();

    OperationGenerator(long seed) {
        this.random = new Random(seed);
        this.keys = new KeySpace(random);
        this.txns = new TxnGenerator(random, keys, this);
    }

    Operation next() {
        int pick = random.nextInt(100);
        if (pick < 26) {
            return new Operation(Operation.Kind.PUT, put());
        }
        if (pick < 34) {
            return new Operation(Operation.Kind.DELETE_RANGE, deleteRange());
        }
        if (pick < 58) {
            return new Operation(Operation.Kind.RANGE, range());
        }
        if (pick < 78) {
            return new Operation(Operation.Kind.TXN, txns.txn(0));
        }
        if (pick < 81) {
            return new Operation(Operation.Kind.COMPACT, compaction());
        }
        if (pick < 86) {
            return new Operation(Operation.Kind.LEASE_GRANT, leaseGrant());
        }
        if (pick < 88) {
            return new Operation(Operation.Kind.LEASE_REVOKE,
                    LeaseRevokeRequest.newBuilder().setID(leaseId()).build());
        }
        if (pick < 92) {
            return new Operation(Operation.Kind.LEASE_TIME_TO_LIVE,
                    LeaseTimeToLiveRequest.newBuilder().setID(leaseId()).setKeys(random.nextBoolean()).build());
        }
        return new Operation(Operation.Kind.WATCH, watch());
    }

    /** Learns the revision, compaction and leases from the reference server's answer. */
    void observe(Operation operation, Outcome reference) {
        if (reference.isError()) {
            return;
        }
        FieldDescriptor header = reference.response().getDescriptorForType().findFieldByName("header");
        if (header != null && reference.response().hasField(header)) {
            revision = Math.max(revision,
                    ((ResponseHeader) reference.response().getField(header)).getRevision());
        }
        Message request = operation.request();
        if (request instanceof CompactionRequest compaction) {
            compactedRevision = Math.max(compactedRevision, compaction.getRevision());
        } else if (request instanceof LeaseGrantRequest grant) {
            grantedLeases.add(grant.getID());
        }
    }

    PutRequest put() {
        PutRequest.Builder put = PutRequest.newBuilder().setKey(keys.key());
        int shape = random.nextInt(100);
        if (shape < 2) {
            put.clearKey();
        }
        boolean ignoreValue = random.nextInt(100) < 7;
        put.setIgnoreValue(ignoreValue);
        if (!ignoreValue || random.nextInt(4) == 0) {
            put.setValue(keys.value());
        }
        put.setPrevKv(random.nextInt(100) < 30);
        boolean ignoreLease = random.nextInt(100) < 7;
        put.setIgnoreLease(ignoreLease);
        if ((!ignoreLease && random.nextInt(100) < 20) || (ignoreLease && random.nextInt(4) == 0)) {
            put.setLease(leaseId());
        }
        return put.build();
    }

    DeleteRangeRequest deleteRange() {
        KeyRange range = keys.range();
        return DeleteRangeRequest.newBuilder().setKey(range.key()).setRangeEnd(range.end())
                .setPrevKv(random.nextInt(100) < 40).build();
    }

    RangeRequest range() {
        KeyRange range = keys.range();
        RangeRequest.Builder request = RangeRequest.newBuilder().setKey(range.key()).setRangeEnd(range.end());
        if (random.nextInt(100) < 2) {
            request.clearKey();
        }
        if (random.nextInt(100) < 30) {
            request.setLimit(random.nextInt(100) < 3 ? -1 : random.nextInt(5));
        }
        if (random.nextInt(100) < 35) {
            request.setRevision(revisionToRead());
        }
        int sort = random.nextInt(100);
        if (sort < 40) {
            request.setSortOrder(RangeRequest.SortOrder.forNumber(random.nextInt(3)));
            request.setSortTarget(RangeRequest.SortTarget.forNumber(random.nextInt(5)));
        } else if (sort < 46) {
            request.setSortTarget(RangeRequest.SortTarget.forNumber(random.nextInt(5)));
        } else if (sort < 47) {
            // Sort orders outside the enum: etcd 3.5 accepts them and sorts nothing.
            request.setSortOrderValue(3 + random.nextInt(2)).setSortTargetValue(random.nextInt(7));
        }
        request.setKeysOnly(random.nextInt(100) < 15);
        request.setCountOnly(random.nextInt(100) < 10);
        request.setSerializable(random.nextInt(100) < 20);
        if (random.nextInt(100) < 10) {
            request.setMinModRevision(anyRevision());
        }
        if (random.nextInt(100) < 10) {
            request.setMaxModRevision(anyRevision());
        }
        if (random.nextInt(100) < 10) {
            request.setMinCreateRevision(anyRevision());
        }
        if (random.nextInt(100) < 10) {
            request.setMaxCreateRevision(anyRevision());
        }
        return request.build();
    }

    private CompactionRequest compaction() {
        int pick = random.nextInt(100);
        long target;
        if (pick < 75 && revision > compactedRevision) {
            target = compactedRevision + 1 + random.nextInt((int) Math.min(revision - compactedRevision, 20));
            target = Math.min(target, revision);
        } else if (pick < 88) {
            target = Math.max(0, compactedRevision - random.nextInt(2));
        } else {
            target = revision + 1 + random.nextInt(3);
        }
        return CompactionRequest.newBuilder().setRevision(target).setPhysical(random.nextBoolean()).build();
    }

    private LeaseGrantRequest leaseGrant() {
        long id = !grantedLeases.isEmpty() && random.nextInt(100) < 10
                ? grantedLeases.get(random.nextInt(grantedLeases.size()))
                : nextLeaseId++;
        return LeaseGrantRequest.newBuilder().setID(id)
                .setTTL(LEASE_TTL_MIN_SECONDS + random.nextInt(1800)).build();
    }

    private WatchCreateRequest watch() {
        KeyRange range = keys.range();
        WatchCreateRequest.Builder create = WatchCreateRequest.newBuilder().setKey(range.key())
                .setRangeEnd(range.end()).setPrevKv(random.nextInt(100) < 30);
        int start = random.nextInt(100);
        if (start < 40) {
            create.setStartRevision(1 + random.nextInt((int) Math.max(1, revision + 1)));
        } else if (start < 50 && compactedRevision > 1) {
            create.setStartRevision(1 + random.nextInt((int) (compactedRevision - 1)));
        } else if (start < 60) {
            create.setStartRevision(revision + 1 + random.nextInt(5));
        }
        if (random.nextInt(100) < 15) {
            create.addFilters(WatchCreateRequest.FilterType.forNumber(random.nextInt(2)));
        }
        return create.build();
    }

    /** A lease granted earlier, now and then one never granted or already revoked. */
    long leaseId() {
        if (grantedLeases.isEmpty() || random.nextInt(100) < 12) {
            return FIRST_LEASE_ID + 1000 + random.nextInt(5);
        }
        return grantedLeases.get(random.nextInt(grantedLeases.size()));
    }

    /** A revision to read at: mostly current or older, sometimes compacted, future or negative. */
    long revisionToRead() {
        int pick = random.nextInt(100);
        if (pick < 10) {
            return 0;
        }
        if (pick < 60) {
            long low = Math.max(1, compactedRevision);
            return low + (long) random.nextInt((int) Math.max(1, revision - low + 1));
        }
        if (pick < 75 && compactedRevision > 1) {
            return 1 + random.nextInt((int) (compactedRevision - 1));
        }
        if (pick < 97) {
            return revision + 1 + random.nextInt(3);
        }
        return -1 - random.nextInt(2);
    }

    /** Any revision from zero to just past the current one, for filters and compares. */
    long anyRevision() {
        return random.nextInt((int) revision + 2);
    }
}
