package io.strata.bench;

import com.google.protobuf.ByteString;
import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.KVGrpc;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.WatchCreateRequest;
import io.strata.api.etcdserverpb.WatchGrpc;
import io.strata.api.etcdserverpb.WatchRequest;
import io.strata.api.etcdserverpb.WatchResponse;
import io.strata.api.mvccpb.Event;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Put-to-event latency: {@code --watchers} watchers over {@code --streams} streams all watch the
 * whole key space while one writer puts at {@code --put-rate} puts a second. Each value starts
 * with the writer's {@link System#nanoTime()} at send, so every event a watcher receives carries
 * its own start time; one operation is one event delivered to one watcher. {@code --total}
 * counts puts.
 */
@Command(name = "watch-latency", mixinStandardHelpOptions = true,
        description = "Measures put-to-event latency for many watchers under a fixed put rate.")
final class WatchLatencyCommand implements Callable<Integer> {
    private static final int timestampBytes = Long.BYTES;

    @Mixin
    CommonOptions common;

    @Option(names = "--watchers", defaultValue = "100", description = "Watchers in all. Default: ${DEFAULT-VALUE}.")
    int watchers;

    @Option(names = "--streams", defaultValue = "10",
            description = "Watch streams the watchers are spread over. Default: ${DEFAULT-VALUE}.")
    int streamCount;

    @Option(names = "--put-rate", defaultValue = "100", description = "Puts per second. Default: ${DEFAULT-VALUE}.")
    int putRate;

    @Option(names = "--create-timeout", defaultValue = "60s", converter = DurationConverter.class,
            description = "How long creating all the watchers may take. Default: ${DEFAULT-VALUE}.")
    Duration createTimeout;

    @Option(names = "--drain-timeout", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long events may still arrive after the last put. Default: ${DEFAULT-VALUE}.")
    Duration drainTimeout;

    @Option(names = "--server-pid",
            description = "A server process on this machine whose resident memory (VmRSS) is read before the "
                    + "watchers are created and once they all are; the summary then reports memory per watcher.")
    Long serverPid;

    @Override
    public Integer call() throws Exception {
        common.validate();
        if (watchers < 1 || streamCount < 1 || streamCount > watchers) {
            throw new IllegalArgumentException("need 1 <= --streams <= --watchers, got " + streamCount + " and " + watchers);
        }
        if (putRate < 1) {
            throw new IllegalArgumentException("--put-rate must be at least 1, got " + putRate);
        }
        if (common.valSize < timestampBytes) {
            throw new IllegalArgumentException("--val-size must be at least " + timestampBytes + " (the send time)");
        }
        KeySpace keys = common.keys();
        OpBudget puts = common.budget();
        Map<String, Object> parameters = common.parameters();
        parameters.put("watchers", watchers);
        parameters.put("streams", streamCount);
        parameters.put("putRate", putRate);

        LatencyStats events = new LatencyStats(common.maxErrors);
        LatencyStats putLatency = new LatencyStats(common.maxErrors);
        AtomicLong putsAcked = new AtomicLong();
        long rssBeforeKiB = serverPid != null ? ServerMemory.rssKiB(serverPid) : -1;
        try (ChannelPool pool = common.openChannels()) {
            List<WatchGrpc.WatchStub> watch = pool.stubs(WatchGrpc::newStub);
            List<KVGrpc.KVStub> kv = pool.stubs(KVGrpc::newStub);
            CountDownLatch created = new CountDownLatch(watchers);
            List<StreamObserver<WatchRequest>> streams = new ArrayList<>();
            List<EventTimer> eventTimers = new ArrayList<>();
            for (int s = 0; s < streamCount; s++) {
                EventTimer timer = new EventTimer(events, created);
                eventTimers.add(timer);
                StreamObserver<WatchRequest> requests = watch.get(s % watch.size()).watch(timer);
                streams.add(requests);
            }
            for (int w = 0; w < watchers; w++) {
                streams.get(w % streamCount).onNext(WatchRequest.newBuilder()
                        .setCreateRequest(WatchCreateRequest.newBuilder().setKey(keys.first()).setRangeEnd(keys.end()))
                        .build());
            }
            long createStartNanos = System.nanoTime();
            if (!created.await(createTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("only " + (watchers - created.getCount()) + " of " + watchers
                        + " watchers were created in " + createTimeout.toSeconds() + "s");
            }
            double createSeconds = (System.nanoTime() - createStartNanos) / 1e9;
            long rssWithWatchersKiB = serverPid != null ? ServerMemory.rssKiB(serverPid) : -1;

            ByteString padding = Values.filler(common.valSize - timestampBytes);
            ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "bench-writer");
                thread.setDaemon(true);
                return thread;
            });
            CountDownLatch writerDone = new CountDownLatch(1);
            AtomicLong putsSent = new AtomicLong();
            // Puts during the warm-up reach the watchers like any other, but neither they nor
            // their events are counted: only puts sent from measureFromNanos on are.
            long warmupStartNanos = System.nanoTime();
            long measureFromNanos = warmupStartNanos + common.warmup.toNanos();
            eventTimers.forEach(t -> t.measureFrom(measureFromNanos));
            long startNanos = measureFromNanos;
            puts.start(startNanos);
            double elapsedSeconds;
            try (ProgressReporter progress = new ProgressReporter("watch-latency", events, System.err, common.stallTimeout)) {
                progress.start();
                writer.scheduleAtFixedRate(() -> {
                    long now = System.nanoTime();
                    boolean warmingUp = now - measureFromNanos < 0;
                    if (events.aborted() || (!warmingUp && !puts.tryAcquire(now))) {
                        writerDone.countDown();
                        throw new IllegalStateException("budget used up");  // cancels the schedule
                    }
                    if (!warmingUp) {
                        putsSent.incrementAndGet();
                    }
                    ByteString value = ByteString.copyFrom(ByteBuffer.allocate(timestampBytes).putLong(0, now)).concat(padding);
                    PutRequest request = PutRequest.newBuilder().setKey(keys.key(keys.randomIndex())).setValue(value).build();
                    kv.get((int) Math.floorMod(now, (long) kv.size())).put(request, UnaryObserver.of(new AsyncOp.Done() {
                        @Override
                        public void succeeded() {
                            if (!warmingUp) {
                                putLatency.recordNanos(System.nanoTime() - now);
                                putsAcked.incrementAndGet();
                            }
                        }

                        @Override
                        public void failed(Throwable error) {
                            events.recordError(error);
                            putLatency.recordError(error);
                        }
                    }));
                }, 0, TimeUnit.SECONDS.toNanos(1) / putRate, TimeUnit.NANOSECONDS);
                while (!writerDone.await(100, TimeUnit.MILLISECONDS) && !events.aborted()) {
                    // Waits for the writer to use up the budget, or for an abort.
                }
                writer.shutdownNow();
                // Every acknowledged put must reach every watcher; give the stragglers a bounded time.
                long drainDeadline = System.nanoTime() + drainTimeout.toNanos();
                while (!events.aborted() && System.nanoTime() - drainDeadline < 0
                        && (events.completed() < putsAcked.get() * watchers
                            || putLatency.completed() + putLatency.errors() < putsSent.get())) {
                    Thread.sleep(10);
                }
                elapsedSeconds = (System.nanoTime() - startNanos) / 1e9;
            }
            for (StreamObserver<WatchRequest> stream : streams) {
                stream.onCompleted();
            }
            events.drain();
            putLatency.drain();
            Summary summary = BenchRun.finish(new Summary("watch-latency", parameters), events, elapsedSeconds);
            long expected = putsAcked.get() * watchers;
            summary.extra("puts", putsAcked.get())
                    .extra("eventsExpected", expected)
                    .extra("eventsMissing", Math.max(0, expected - events.total().getTotalCount()))
                    .extra("putP99Ms", Summary.round(putLatency.total().getValueAtPercentile(99.0) / 1e6, 3))
                    .extra("createSeconds", Summary.round(createSeconds, 3));
            if (rssBeforeKiB >= 0 && rssWithWatchersKiB >= 0) {
                // The delta also holds whatever else the server allocated meanwhile (a JVM's heap
                // growth, Go's garbage not yet returned), so it is an upper bound per watcher.
                summary.extra("serverRssBeforeKiB", rssBeforeKiB)
                        .extra("serverRssWithWatchersKiB", rssWithWatchersKiB)
                        .extra("bytesPerWatcher", Math.round((rssWithWatchersKiB - rssBeforeKiB) * 1024.0 / watchers));
            }
            return BenchRun.print(summary);
        }
    }

    /** Times each event against the send time at the front of its value. */
    private static final class EventTimer implements StreamObserver<WatchResponse> {
        private final LatencyStats events;
        private final CountDownLatch created;
        /** Events of puts sent before this (the warm-up) are not timed. */
        private volatile long measureFromNanos = Long.MIN_VALUE;

        void measureFrom(long nanos) {
            measureFromNanos = nanos;
        }

        EventTimer(LatencyStats events, CountDownLatch created) {
            this.events = events;
            this.created = created;
        }

        @Override
        public void onNext(WatchResponse response) {
            long now = System.nanoTime();
            if (response.getCreated()) {
                created.countDown();
            }
            if (response.getCanceled()) {
                events.recordError(new IllegalStateException("watch canceled: " + response.getCancelReason()));
            }
            for (Event event : response.getEventsList()) {
                ByteString value = event.getKv().getValue();
                if (value.size() >= timestampBytes) {
                    long sentNanos = value.substring(0, timestampBytes).asReadOnlyByteBuffer().getLong();
                    if (measureFromNanos == Long.MIN_VALUE || sentNanos - measureFromNanos >= 0) {
                        events.recordNanos(now - sentNanos);
                    }
                }
            }
        }

        @Override
        public void onError(Throwable error) {
            events.recordError(error);
            events.abort("a watch stream failed: " + LatencyStats.describe(error));
        }

        @Override
        public void onCompleted() {
        }
    }
}
