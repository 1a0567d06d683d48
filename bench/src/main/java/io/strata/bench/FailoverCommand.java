package io.strata.bench;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.strata.api.etcdserverpb.KVGrpc;
import io.strata.api.etcdserverpb.PutRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Leader failover as a client sees it: finds the leader among {@code --endpoints} (each
 * member's Status, as {@code etcdctl endpoint status} shows it), kills that member's process
 * with SIGKILL, and measures the time from the kill until a Put sent to a surviving member
 * succeeds. A new Put goes to every survivor each {@code --poll-interval}, so the answer is
 * accurate to that interval however long a single attempt hangs while there is no leader.
 */
@Command(name = "failover", mixinStandardHelpOptions = true,
        description = "Kills the leader (SIGKILL) and times until a put on a surviving member succeeds.")
final class FailoverCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Option(names = "--pids", required = true, split = ",",
            description = "The member processes on this machine, in the order of --endpoints.")
    List<Long> pids;

    @Option(names = "--poll-interval", defaultValue = "10ms", converter = DurationConverter.class,
            description = "How often a new put goes to each survivor after the kill. Default: ${DEFAULT-VALUE}.")
    Duration pollInterval;

    @Option(names = "--attempt-timeout", defaultValue = "5s", converter = DurationConverter.class,
            description = "Deadline of each put attempt. Default: ${DEFAULT-VALUE}.")
    Duration attemptTimeout;

    @Option(names = "--failover-timeout", defaultValue = "60s", converter = DurationConverter.class,
            description = "Give up when no put succeeded this long after the kill. Default: ${DEFAULT-VALUE}.")
    Duration failoverTimeout;

    @Override
    public Integer call() throws Exception {
        List<Endpoint> endpoints = common.endpointList();
        if (endpoints.size() < 2 || pids.size() != endpoints.size()) {
            throw new IllegalArgumentException("need two or more --endpoints and as many --pids, got "
                    + endpoints.size() + " and " + pids.size());
        }
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("endpoints", endpoints.stream().map(Endpoint::toString).toList());
        parameters.put("pollIntervalMillis", pollInterval.toMillis());
        List<ManagedChannel> channels = new ArrayList<>();
        for (Endpoint endpoint : endpoints) {
            channels.add(NettyChannelBuilder.forAddress(endpoint.host(), endpoint.port()).usePlaintext().build());
        }
        LatencyStats failovers = new LatencyStats(-1);
        try {
            int leader = ClusterLeader.find(channels).index();
            List<KVGrpc.KVStub> survivors = new ArrayList<>();
            for (int i = 0; i < channels.size(); i++) {
                if (i != leader) {
                    survivors.add(KVGrpc.newStub(channels.get(i)));
                    // A put through each survivor first, so connections and code paths are warm.
                    KVGrpc.newBlockingStub(channels.get(i)).withDeadlineAfter(attemptTimeout.toMillis(), TimeUnit.MILLISECONDS)
                            .put(put(0));
                }
            }
            ProcessHandle process = ProcessHandle.of(pids.get(leader)).orElseThrow(() ->
                    new IllegalStateException("the leader's process " + pids.get(leader) + " is not running"));
            CountDownLatch succeeded = new CountDownLatch(1);
            AtomicLong succeededAtNanos = new AtomicLong();
            AtomicLong attempts = new AtomicLong();
            AtomicReference<Throwable> lastError = new AtomicReference<>();
            long killedAtNanos = System.nanoTime();
            if (!process.destroyForcibly()) {
                throw new IllegalStateException("could not kill the leader's process " + pids.get(leader));
            }
            long deadlineNanos = killedAtNanos + failoverTimeout.toNanos();
            while (succeeded.getCount() > 0 && System.nanoTime() - deadlineNanos < 0) {
                for (KVGrpc.KVStub survivor : survivors) {
                    long attempt = attempts.incrementAndGet();
                    survivor.withDeadlineAfter(attemptTimeout.toMillis(), TimeUnit.MILLISECONDS)
                            .put(put(attempt), UnaryObserver.of(new AsyncOp.Done() {
                                @Override
                                public void succeeded() {
                                    succeededAtNanos.compareAndSet(0, System.nanoTime());
                                    succeeded.countDown();
                                }

                                @Override
                                public void failed(Throwable error) {
                                    lastError.set(error);
                                }
                            }));
                }
                succeeded.await(pollInterval.toNanos(), TimeUnit.NANOSECONDS);
            }
            Summary summary = new Summary("failover", parameters);
            if (succeeded.getCount() == 0) {
                failovers.recordNanos(succeededAtNanos.get() - killedAtNanos);
            } else {
                failovers.recordError(lastError.get() != null ? lastError.get()
                        : new IllegalStateException("no put succeeded in " + failoverTimeout.toSeconds() + "s"));
            }
            failovers.drain();
            BenchRun.finish(summary, failovers, (System.nanoTime() - killedAtNanos) / 1e9);
            summary.extra("killedLeader", endpoints.get(leader).toString())
                    .extra("failoverMs", succeeded.getCount() == 0
                            ? Summary.round((succeededAtNanos.get() - killedAtNanos) / 1e6, 1) : null)
                    .extra("putAttempts", attempts.get());
            return BenchRun.print(summary);
        } finally {
            for (ManagedChannel channel : channels) {
                channel.shutdownNow();
            }
        }
    }

    private static PutRequest put(long attempt) {
        return PutRequest.newBuilder()
                .setKey(ByteString.copyFrom("failover/" + attempt, StandardCharsets.US_ASCII))
                .setValue(ByteString.copyFrom("x", StandardCharsets.US_ASCII))
                .build();
    }
}
