package io.strata.bench;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.Compare;
import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.etcdserverpb.KVGrpc;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RangeResponse;
import io.strata.api.etcdserverpb.RequestOp;
import io.strata.api.etcdserverpb.TxnRequest;
import io.strata.api.etcdserverpb.TxnResponse;
import io.strata.api.etcdserverpb.WatchCreateRequest;
import io.strata.api.etcdserverpb.WatchGrpc;
import io.strata.api.etcdserverpb.WatchRequest;
import io.strata.api.etcdserverpb.WatchResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What an API server asks of etcd, roughly: guarded updates and deletes (Txn on mod_revision,
 * a failed guard reads the key back), consistent gets of one object, paginated lists, and
 * watchers on the whole resource prefix. The key space is written once before measuring, so
 * that gets and lists find objects. Percentages are per operation.
 */
@Command(name = "mixed-k8s", mixinStandardHelpOptions = true,
        description = "A Kubernetes-like mix of guarded updates, deletes, gets and paginated lists, with watchers.")
final class MixedK8sCommand implements Callable<Integer> {
    private static final long maxTrackedKeys = 10_000_000;

    @Mixin
    CommonOptions common;

    @Option(names = "--update-percent", defaultValue = "45", description = "Guarded updates (creates when the key is gone). Default: ${DEFAULT-VALUE}.")
    int updatePercent;

    @Option(names = "--delete-percent", defaultValue = "5", description = "Guarded deletes. Default: ${DEFAULT-VALUE}.")
    int deletePercent;

    @Option(names = "--get-percent", defaultValue = "40", description = "Linearizable single-key gets. Default: ${DEFAULT-VALUE}; lists take the rest.")
    int getPercent;

    @Option(names = "--limit", defaultValue = "500", description = "Keys per list page. Default: ${DEFAULT-VALUE}.")
    long limit;

    @Option(names = "--watchers", defaultValue = "10", description = "Watchers on the whole key space. Default: ${DEFAULT-VALUE}.")
    int watchers;

    private enum Kind { UPDATE, DELETE, GET, LIST }

    @Override
    public Integer call() throws Exception {
        common.validate();
        if (updatePercent < 0 || deletePercent < 0 || getPercent < 0 || updatePercent + deletePercent + getPercent > 100) {
            throw new IllegalArgumentException("the percentages must be non-negative and add up to at most 100");
        }
        KeySpace keys = common.keys();
        if (keys.size() > maxTrackedKeys) {
            throw new IllegalArgumentException("mixed-k8s tracks a revision per key; --key-space must be at most " + maxTrackedKeys);
        }
        Map<String, Object> parameters = common.parameters();
        parameters.put("updatePercent", updatePercent);
        parameters.put("deletePercent", deletePercent);
        parameters.put("getPercent", getPercent);
        parameters.put("listPercent", 100 - updatePercent - deletePercent - getPercent);
        parameters.put("limit", limit);
        parameters.put("watchers", watchers);

        ByteString value = Values.filler(common.valSize);
        AtomicLongArray known = new AtomicLongArray((int) keys.size());
        Map<Kind, LatencyStats> byKind = new LinkedHashMap<>();
        for (Kind kind : Kind.values()) {
            byKind.put(kind, new LatencyStats(-1));
        }
        AtomicLong conflicts = new AtomicLong();
        AtomicLong events = new AtomicLong();
        try (ChannelPool pool = common.openChannels()) {
            Preloader.preload(common, pool, keys, known::set);
            List<KVGrpc.KVStub> kv = pool.stubs(KVGrpc::newStub);
            List<WatchGrpc.WatchStub> watch = pool.stubs(WatchGrpc::newStub);
            List<StreamObserver<WatchRequest>> watchStreams = new ArrayList<>();
            for (int w = 0; w < watchers; w++) {
                StreamObserver<WatchRequest> requests = watch.get(w % watch.size()).watch(new StreamObserver<>() {
                    @Override
                    public void onNext(WatchResponse response) {
                        events.addAndGet(response.getEventsCount());
                    }

                    @Override
                    public void onError(Throwable error) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
                requests.onNext(WatchRequest.newBuilder()
                        .setCreateRequest(WatchCreateRequest.newBuilder().setKey(keys.first()).setRangeEnd(keys.end()))
                        .build());
                watchStreams.add(requests);
            }
            ByteString[] cursors = new ByteString[common.clients];
            AsyncOp op = (client, done) -> {
                Kind kind = pick(ThreadLocalRandom.current().nextInt(100));
                long startNanos = System.nanoTime();
                LatencyStats stats = byKind.get(kind);
                AsyncOp.Done timed = new AsyncOp.Done() {
                    @Override
                    public void succeeded() {
                        if (done.measured()) {
                            stats.recordNanos(System.nanoTime() - startNanos);
                        }
                        done.succeeded();
                    }

                    @Override
                    public void failed(Throwable error) {
                        if (done.measured()) {
                            stats.recordError(error);
                        }
                        done.failed(error);
                    }
                };
                KVGrpc.KVStub stub = kv.get(client % kv.size());
                int index = (int) keys.randomIndex();
                ByteString key = keys.key(index);
                switch (kind) {
                    case UPDATE, DELETE -> {
                        long expected = known.get(index);
                        RequestOp write = kind == Kind.UPDATE
                                ? RequestOp.newBuilder().setRequestPut(
                                        io.strata.api.etcdserverpb.PutRequest.newBuilder().setKey(key).setValue(value)).build()
                                : RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(key)).build();
                        TxnRequest request = TxnRequest.newBuilder()
                                .addCompare(Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.MOD)
                                        .setResult(Compare.CompareResult.EQUAL).setModRevision(expected))
                                .addSuccess(write)
                                .addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key)))
                                .build();
                        stub.txn(request, UnaryObserver.of(timed, (TxnResponse response) -> {
                            if (response.getSucceeded()) {
                                known.set(index, kind == Kind.UPDATE ? response.getHeader().getRevision() : 0);
                            } else {
                                conflicts.incrementAndGet();
                                var range = response.getResponses(0).getResponseRange();
                                known.set(index, range.getKvsCount() == 0 ? 0 : range.getKvs(0).getModRevision());
                            }
                        }));
                    }
                    case GET -> stub.range(RangeRequest.newBuilder().setKey(key).build(), UnaryObserver.of(timed));
                    case LIST -> {
                        ByteString from = cursors[client] != null ? cursors[client] : keys.first();
                        stub.range(RangeRequest.newBuilder().setKey(from).setRangeEnd(keys.end()).setLimit(limit).build(),
                                UnaryObserver.of(timed, (RangeResponse response) -> cursors[client] =
                                        response.getMore() && response.getKvsCount() > 0
                                                ? response.getKvs(response.getKvsCount() - 1).getKey()
                                                        .concat(ByteString.copyFrom(new byte[1]))
                                                : null));
                    }
                    default -> throw new IllegalStateException("unknown kind " + kind);
                }
            };
            Summary summary = BenchRun.closedLoop("mixed-k8s", common, parameters, op);
            for (StreamObserver<WatchRequest> stream : watchStreams) {
                stream.onCompleted();
            }
            for (Map.Entry<Kind, LatencyStats> entry : byKind.entrySet()) {
                LatencyStats stats = entry.getValue();
                stats.drain();
                Map<String, Object> perKind = new LinkedHashMap<>();
                perKind.put("ops", stats.total().getTotalCount());
                perKind.put("errors", stats.errors());
                perKind.put("p50Ms", Summary.round(stats.total().getValueAtPercentile(50.0) / 1e6, 3));
                perKind.put("p99Ms", Summary.round(stats.total().getValueAtPercentile(99.0) / 1e6, 3));
                summary.extra(entry.getKey().name().toLowerCase(java.util.Locale.ROOT), perKind);
            }
            summary.extra("conflicts", conflicts.get()).extra("watchEvents", events.get());
            return BenchRun.print(summary);
        }
    }

    private Kind pick(int percentile) {
        if (percentile < updatePercent) {
            return Kind.UPDATE;
        }
        if (percentile < updatePercent + deletePercent) {
            return Kind.DELETE;
        }
        if (percentile < updatePercent + deletePercent + getPercent) {
            return Kind.GET;
        }
        return Kind.LIST;
    }
}
