package io.strata.conformance.differential;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Random transactions: compares on every target with every result (over single keys and
 * ranges), and then/else branches of ranges, puts, deletes and nested transactions. etcd
 * rejects a txn whose branches write a key twice, so most txns draw their written keys without
 * repetition; a few ("careless" ones) write freely and are expected to be rejected, for
 * comparing the error.
 */
final class TxnGenerator {
    static final int MAX_DEPTH = 2;
    static final int MAX_COMPARES = 3;
    static final int MAX_OPS_PER_BRANCH = 3;
    /** etcd's Compare.CompareTarget.LEASE and Compare.lease, missing from jetcd's protobufs. */
    static final int TARGET_LEASE = 4;
    static final int DEFAULT_MAX_TXN_OPS = 128;
    static final int COMPARE_LEASE_FIELD = 8;

    private final Random random;
    private final KeySpace keys;
    private final OperationGenerator operations;

    TxnGenerator(Random random, KeySpace keys, OperationGenerator operations) {
        this.random = random;
        this.keys = keys;
        this.operations = operations;
    }

    TxnRequest txn(int depth) {
        if (random.nextInt(100) < 1) {
            return tooManyOperations();
        }
        boolean careless = random.nextInt(100) < 12;
        List<ByteString> writable = new ArrayList<>(KeySpace.KEYS);
        Collections.shuffle(writable, random);
        return txn(depth, careless, writable);
    }

    /** One more operation than etcd's default --max-txn-ops allows, to compare the refusal. */
    private TxnRequest tooManyOperations() {
        TxnRequest.Builder txn = TxnRequest.newBuilder();
        for (int i = 0; i <= DEFAULT_MAX_TXN_OPS; i++) {
            txn.addSuccess(RequestOp.newBuilder().setRequestRange(operations.range()));
        }
        return txn.build();
    }

    private TxnRequest txn(int depth, boolean careless, List<ByteString> writable) {
        TxnRequest.Builder txn = TxnRequest.newBuilder();
        int compares = random.nextInt(MAX_COMPARES + 1);
        for (int i = 0; i < compares; i++) {
            Compare compare = compare();
            txn.addCompare(random.nextInt(100) < 1 ? compare.toBuilder().clearKey().build() : compare);
        }
        int thenOps = random.nextInt(MAX_OPS_PER_BRANCH + 1);
        for (int i = 0; i < thenOps; i++) {
            txn.addSuccess(requestOp(depth, careless, writable));
        }
        int elseOps = random.nextInt(MAX_OPS_PER_BRANCH + 1);
        for (int i = 0; i < elseOps; i++) {
            txn.addFailure(requestOp(depth, careless, writable));
        }
        return txn.build();
    }

    private RequestOp requestOp(int depth, boolean careless, List<ByteString> writable) {
        if (random.nextInt(200) == 0) {
            // An operation with no request set, which etcd refuses.
            return RequestOp.getDefaultInstance();
        }
        int pick = random.nextInt(100);
        if (pick < 35) {
            return RequestOp.newBuilder().setRequestRange(operations.range()).build();
        }
        if (pick < 70) {
            PutRequest put = operations.put();
            if (!careless) {
                if (writable.isEmpty()) {
                    return RequestOp.newBuilder().setRequestRange(operations.range()).build();
                }
                put = put.toBuilder().setKey(writable.remove(writable.size() - 1)).build();
            }
            return RequestOp.newBuilder().setRequestPut(put).build();
        }
        if (pick < 90 || depth >= MAX_DEPTH) {
            DeleteRangeRequest delete = operations.deleteRange();
            if (!careless) {
                if (writable.isEmpty()) {
                    return RequestOp.newBuilder().setRequestRange(operations.range()).build();
                }
                delete = delete.toBuilder().setKey(writable.remove(writable.size() - 1)).clearRangeEnd().build();
            }
            return RequestOp.newBuilder().setRequestDeleteRange(delete).build();
        }
        return RequestOp.newBuilder().setRequestTxn(txn(depth + 1, careless, writable)).build();
    }

    private Compare compare() {
        Compare.Builder compare = Compare.newBuilder().setKey(keys.key())
                .setResult(Compare.CompareResult.forNumber(random.nextInt(4)));
        if (random.nextInt(100) < 20) {
            compare.setRangeEnd(keys.range().end());
        }
        int target = random.nextInt(5);
        compare.setTargetValue(target);
        // Now and then the value set is not the one the target reads, which etcd treats as zero.
        int union = random.nextInt(100) < 5 ? random.nextInt(5) : target;
        switch (union) {
            case 0 -> compare.setVersion(random.nextInt(4));
            case 1 -> compare.setCreateRevision(operations.anyRevision());
            case 2 -> compare.setModRevision(operations.anyRevision());
            case 3 -> compare.setValue(keys.value());
            case TARGET_LEASE -> setLease(compare, random.nextBoolean() ? 0 : operations.leaseId());
            default -> throw new IllegalStateException("no such compare target " + union);
        }
        return compare.build();
    }

    /**
     * Sets Compare.lease (field 8 of etcd's target_union), which jetcd's copy of etcd's
     * protobufs predates along with the LEASE target (4), as a raw field on the wire.
     */
    private static void setLease(Compare.Builder compare, long lease) {
        compare.setUnknownFields(UnknownFieldSet.newBuilder(compare.getUnknownFields())
                .addField(COMPARE_LEASE_FIELD, UnknownFieldSet.Field.newBuilder().addVarint(lease).build())
                .build());
    }
}
