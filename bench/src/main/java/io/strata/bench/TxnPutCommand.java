package io.strata.bench;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.Compare;
import io.strata.api.etcdserverpb.KVGrpc;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RequestOp;
import io.strata.api.etcdserverpb.TxnRequest;
import io.strata.api.etcdserverpb.TxnResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * Kubernetes' optimistic update: {@code If mod_revision(key) == known Then Put Else Get}. Each
 * key's last known mod revision is kept, from a success (the response's revision) or from a
 * conflict (the Get's key), so a conflicting client retries with a fresh revision, as the API
 * server does. A known revision of 0 is a create: it succeeds only while the key is absent.
 */
@Command(name = "txn-put", mixinStandardHelpOptions = true,
        description = "Kubernetes-style guarded updates: Txn If mod_revision(key)==N Then Put Else Get.")
final class TxnPutCommand implements Callable<Integer> {
    private static final long maxTrackedKeys = 10_000_000;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        common.validate();
        KeySpace keys = common.keys();
        if (keys.size() > maxTrackedKeys) {
            throw new IllegalArgumentException("txn-put tracks a revision per key; --key-space must be at most "
                    + maxTrackedKeys);
        }
        ByteString value = Values.filler(common.valSize);
        AtomicLongArray knownModRevisions = new AtomicLongArray((int) keys.size());
        AtomicLong conflicts = new AtomicLong();
        AtomicLong updates = new AtomicLong();
        try (ChannelPool pool = common.openChannels()) {
            List<KVGrpc.KVStub> kv = pool.stubs(KVGrpc::newStub);
            AsyncOp update = (client, done) -> {
                int index = (int) keys.randomIndex();
                ByteString key = keys.key(index);
                TxnRequest request = guardedUpdate(key, value, knownModRevisions.get(index));
                kv.get(client % kv.size()).txn(request, UnaryObserver.of(done, (TxnResponse response) -> {
                    if (response.getSucceeded()) {
                        updates.incrementAndGet();
                        learn(knownModRevisions, index, response.getHeader().getRevision());
                    } else {
                        conflicts.incrementAndGet();
                        var range = response.getResponses(0).getResponseRange();
                        learn(knownModRevisions, index, range.getKvsCount() == 0 ? 0 : range.getKvs(0).getModRevision());
                    }
                }));
            };
            Summary summary = BenchRun.closedLoop("txn-put", common, common.parameters(), update);
            summary.extra("updates", updates.get()).extra("conflicts", conflicts.get());
            return BenchRun.print(summary);
        }
    }

    static TxnRequest guardedUpdate(ByteString key, ByteString value, long expectedModRevision) {
        return TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder()
                        .setKey(key)
                        .setTarget(Compare.CompareTarget.MOD)
                        .setResult(Compare.CompareResult.EQUAL)
                        .setModRevision(expectedModRevision))
                .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key).setValue(value)))
                .addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key)))
                .build();
    }

    /** Keeps the newest revision seen: answers for one key may arrive out of order. */
    private static void learn(AtomicLongArray known, int index, long modRevision) {
        long current;
        do {
            current = known.get(index);
        } while (current < modRevision && !known.compareAndSet(index, current, modRevision));
        if (modRevision == 0) {
            // The key is gone (or never was): the next update is a create.
            known.set(index, 0);
        }
    }
}
