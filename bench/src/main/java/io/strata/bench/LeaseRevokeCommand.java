package io.strata.bench;

import com.google.protobuf.ByteString;
import io.grpc.Deadline;
import io.strata.api.etcdserverpb.KVGrpc;
import io.strata.api.etcdserverpb.LeaseGrantRequest;
import io.strata.api.etcdserverpb.LeaseGrpc;
import io.strata.api.etcdserverpb.LeaseRevokeRequest;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.RangeRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Revocation of a lease that holds many keys: each round grants a lease and attaches
 * {@code --keys-per-lease} keys to it (not timed, {@code --clients} puts in flight), then times
 * one {@code LeaseRevoke} from send until it returns. A revoke deletes every attached key in one
 * step, so its latency grows with the keys; {@code --total} counts rounds.
 */
@Command(name = "lease-revoke", mixinStandardHelpOptions = true,
        description = "Times LeaseRevoke of a lease with --keys-per-lease attached keys.")
final class LeaseRevokeCommand implements Callable<Integer> {
    private static final long ttlSeconds = 600;

    @Mixin
    CommonOptions common;

    @Option(names = "--keys-per-lease", defaultValue = "1000",
            description = "Keys attached to each lease before it is revoked. Default: ${DEFAULT-VALUE}.")
    int keysPerLease;

    @Option(names = "--request-timeout", defaultValue = "60s", converter = DurationConverter.class,
            description = "Deadline of each request, the revoke included. Default: ${DEFAULT-VALUE}.")
    Duration requestTimeout;

    @Override
    public Integer call() throws Exception {
        common.validate();
        if (keysPerLease < 0) {
            throw new IllegalArgumentException("--keys-per-lease must not be negative, got " + keysPerLease);
        }
        if (!common.warmup.isZero()) {
            throw new IllegalArgumentException("lease-revoke has no warm-up: every round is measured");
        }
        OpBudget rounds = common.budget();
        Map<String, Object> parameters = common.parameters();
        parameters.put("keysPerLease", keysPerLease);
        ByteString value = Values.filler(common.valSize);
        LatencyStats revokes = new LatencyStats(common.maxErrors);
        long keysLeft = 0;
        long startNanos = System.nanoTime();
        rounds.start(startNanos);
        try (ChannelPool pool = common.openChannels();
                ProgressReporter progress = new ProgressReporter("lease-revoke", revokes, System.err, common.stallTimeout)) {
            progress.start();
            KVGrpc.KVBlockingStub kvBlocking = KVGrpc.newBlockingStub(pool.forClient(0));
            LeaseGrpc.LeaseBlockingStub lease = LeaseGrpc.newBlockingStub(pool.forClient(0));
            for (long round = 0; !revokes.aborted() && rounds.tryAcquire(System.nanoTime()); round++) {
                long id = lease.withDeadline(deadline())
                        .leaseGrant(LeaseGrantRequest.newBuilder().setTTL(ttlSeconds).build()).getID();
                ByteString prefix = ByteString.copyFrom("lease-revoke/" + round + "/", StandardCharsets.US_ASCII);
                attach(pool, prefix, id, value);
                long sentNanos = System.nanoTime();
                try {
                    lease.withDeadline(deadline()).leaseRevoke(LeaseRevokeRequest.newBuilder().setID(id).build());
                    revokes.recordNanos(System.nanoTime() - sentNanos);
                } catch (RuntimeException e) {
                    revokes.recordError(e);
                }
                // A revoke that returned before its keys were gone would flatter the server.
                keysLeft += kvBlocking.withDeadline(deadline()).range(RangeRequest.newBuilder()
                        .setKey(prefix).setRangeEnd(prefixEnd(prefix)).setCountOnly(true).build()).getCount();
            }
        }
        double elapsedSeconds = (System.nanoTime() - startNanos) / 1e9;
        revokes.drain();
        Summary summary = BenchRun.finish(new Summary("lease-revoke", parameters), revokes, elapsedSeconds);
        summary.extra("keysLeftAfterRevoke", keysLeft);
        return BenchRun.print(summary);
    }

    /** Puts the round's keys with the lease, {@code --clients} at a time; fails on the first error. */
    private void attach(ChannelPool pool, ByteString prefix, long leaseId, ByteString value) throws InterruptedException {
        Semaphore inFlight = new Semaphore(common.clients);
        CountDownLatch done = new CountDownLatch(keysPerLease);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < keysPerLease && failure.get() == null; i++) {
            inFlight.acquire();
            PutRequest put = PutRequest.newBuilder()
                    .setKey(prefix.concat(ByteString.copyFrom(Integer.toString(i), StandardCharsets.US_ASCII)))
                    .setValue(value).setLease(leaseId).build();
            KVGrpc.newStub(pool.forClient(i)).withDeadline(deadline()).put(put, UnaryObserver.of(new AsyncOp.Done() {
                @Override
                public void succeeded() {
                    inFlight.release();
                    done.countDown();
                }

                @Override
                public void failed(Throwable error) {
                    failure.compareAndSet(null, error);
                    inFlight.release();
                    done.countDown();
                }
            }));
        }
        if (!done.await(requestTimeout.toNanos(), TimeUnit.NANOSECONDS) && failure.get() == null) {
            throw new IllegalStateException("attaching " + keysPerLease + " keys took longer than " + requestTimeout);
        }
        if (failure.get() != null) {
            throw new IllegalStateException("attaching keys failed: " + LatencyStats.describe(failure.get()));
        }
    }

    private Deadline deadline() {
        return Deadline.after(requestTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** The end of the range of keys that start with {@code prefix} (its last byte plus one). */
    static ByteString prefixEnd(ByteString prefix) {
        byte[] end = prefix.toByteArray();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return ByteString.copyFrom(end, 0, i + 1);
            }
        }
        return ByteString.copyFrom(new byte[] {0});
    }
}
