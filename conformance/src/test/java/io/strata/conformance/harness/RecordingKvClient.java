package io.strata.conformance.harness;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.DeleteRangeResponse;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.KeyValue;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RangeResponse;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.TxnResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.strata.conformance.linearizability.KvInput;
import io.strata.conformance.linearizability.KvOutput;
import io.strata.conformance.linearizability.Operation;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * One client bound to one member's endpoint that runs random single-key requests and records
 * each as an {@link Operation}. It uses plain gRPC stubs, never jetcd: jetcd retries some
 * failed requests by itself, and a retried put could take effect twice behind the history's
 * back. Any error makes the outcome unknown, since a request that timed out or lost its
 * connection may still have been committed.
 */
public final class RecordingKvClient implements AutoCloseable {
    /** How long after a failed request the client waits before the next, so an outage is not a busy loop. */
    static final Duration PAUSE_AFTER_FAILURE = Duration.ofMillis(100);

    private final int clientId;
    private final ManagedChannel channel;
    private final Duration requestDeadline;
    private final List<String> keys;
    private final Random random;
    private final List<Operation> history = new ArrayList<>();
    /** The mod revision this client last saw per key, which its compare-and-sets expect. */
    private final Map<String, Long> lastSeenModRevision = new HashMap<>();
    private int valueSequence;
    private int failures;

    public RecordingKvClient(int clientId, String clientUrl, Duration requestDeadline, List<String> keys, long seed) {
        URI uri = URI.create(clientUrl);
        this.clientId = clientId;
        this.channel = ManagedChannelBuilder.forAddress(uri.getHost(), uri.getPort()).usePlaintext().build();
        this.requestDeadline = requestDeadline;
        this.keys = List.copyOf(keys);
        this.random = new Random(seed);
    }

    /** Runs requests one after another until {@code stop} says so. */
    public void runUntil(BooleanSupplier stop) {
        while (!stop.getAsBoolean()) {
            if (!runOne(nextInput())) {
                failures++;
                channel.resetConnectBackoff();
                try {
                    Thread.sleep(PAUSE_AFTER_FAILURE.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** One linearizable read of {@code key}, recorded like the others; false if it failed. */
    public boolean read(String key) {
        return runOne(new KvInput.Get(key));
    }

    public List<Operation> history() {
        return List.copyOf(history);
    }

    public int failures() {
        return failures;
    }

    private KvInput nextInput() {
        String key = keys.get(random.nextInt(keys.size()));
        int kind = random.nextInt(10);
        if (kind < 4) {
            return new KvInput.Get(key);
        }
        if (kind < 7) {
            return new KvInput.Put(key, nextValue());
        }
        if (kind < 8) {
            return new KvInput.Delete(key);
        }
        return new KvInput.CompareAndSet(key, lastSeenModRevision.getOrDefault(key, 0L), nextValue());
    }

    private String nextValue() {
        return "c" + clientId + "-" + valueSequence++;
    }

    private boolean runOne(KvInput input) {
        long invoked = System.nanoTime();
        KvOutput output;
        try {
            output = send(input);
        } catch (StatusRuntimeException e) {
            history.add(Operation.unknown(clientId, invoked, input));
            return false;
        }
        history.add(Operation.completed(clientId, invoked, System.nanoTime(), input, output));
        return true;
    }

    private KvOutput send(KvInput input) {
        KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel)
                .withDeadlineAfter(requestDeadline.toMillis(), TimeUnit.MILLISECONDS);
        ByteString key = bytes(input.key());
        if (input instanceof KvInput.Put put) {
            long revision = kv.put(PutRequest.newBuilder().setKey(key).setValue(bytes(put.value())).build())
                    .getHeader().getRevision();
            lastSeenModRevision.put(input.key(), revision);
            return new KvOutput.PutOk(revision);
        }
        if (input instanceof KvInput.Get) {
            RangeResponse response = kv.range(RangeRequest.newBuilder().setKey(key).build());
            return read(input.key(), response.getKvsList(), response.getHeader().getRevision());
        }
        if (input instanceof KvInput.Delete) {
            DeleteRangeResponse response = kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(key).build());
            lastSeenModRevision.put(input.key(), 0L);
            return new KvOutput.DeleteOk(response.getDeleted(), response.getHeader().getRevision());
        }
        KvInput.CompareAndSet cas = (KvInput.CompareAndSet) input;
        TxnResponse response = kv.txn(TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.MOD)
                        .setResult(Compare.CompareResult.EQUAL).setModRevision(cas.expectedModRevision()))
                .addSuccess(RequestOp.newBuilder().setRequestPut(
                        PutRequest.newBuilder().setKey(key).setValue(bytes(cas.value()))))
                .addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key)))
                .build());
        long revision = response.getHeader().getRevision();
        if (response.getSucceeded()) {
            lastSeenModRevision.put(input.key(), revision);
            return new KvOutput.CasOk(true, null, 0, revision);
        }
        KvOutput.GetOk seen = read(input.key(), response.getResponses(0).getResponseRange().getKvsList(), revision);
        return new KvOutput.CasOk(false, seen.value(), seen.modRevision(), revision);
    }

    private KvOutput.GetOk read(String key, List<KeyValue> kvs, long headerRevision) {
        if (kvs.isEmpty()) {
            lastSeenModRevision.put(key, 0L);
            return new KvOutput.GetOk(null, 0, headerRevision);
        }
        KeyValue kv = kvs.get(0);
        lastSeenModRevision.put(key, kv.getModRevision());
        return new KvOutput.GetOk(kv.getValue().toString(StandardCharsets.UTF_8), kv.getModRevision(), headerRevision);
    }

    private static ByteString bytes(String text) {
        return ByteString.copyFrom(text, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
