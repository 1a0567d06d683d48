package io.strata.bench;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.KVGrpc;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RangeResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Watches a member catch up from the outside: every {@code interval} a serializable Range of one
 * key goes to it, answered from its own state, until an answer's revision reaches the target and
 * holds the key. A new poll goes out each interval however long earlier ones take, so the time
 * is accurate to the interval even while the member is not listening yet or is busy restoring.
 * Times are Unix nanoseconds, to be compared with a process launch timed by another program.
 */
final class CatchUpPoller {
    private final ManagedChannel channel;
    private final RangeRequest probe;
    private final long targetRevision;
    private final AtomicLong firstAnswerUnixNanos = new AtomicLong();
    private final AtomicLong caughtUpUnixNanos = new AtomicLong();
    private final AtomicLong highestRevision = new AtomicLong();
    private final AtomicLong polls = new AtomicLong();
    private final AtomicReference<String> lastError = new AtomicReference<>();
    private final CountDownLatch caughtUp = new CountDownLatch(1);

    CatchUpPoller(ManagedChannel channel, ByteString key, long targetRevision) {
        if (targetRevision < 1) {
            throw new IllegalArgumentException("target revision must be at least 1, got " + targetRevision);
        }
        this.channel = channel;
        this.probe = RangeRequest.newBuilder().setKey(key).setSerializable(true).build();
        this.targetRevision = targetRevision;
    }

    /** What the polling saw; a time is 0 when it never happened. */
    record Outcome(long firstAnswerUnixNanos, long caughtUpUnixNanos, long highestRevision, long polls,
            String lastError) {
        boolean caughtUp() {
            return caughtUpUnixNanos != 0;
        }
    }

    /** Polls until the member caught up or {@code timeout} passed. */
    Outcome run(Duration interval, Duration attemptTimeout, Duration timeout) throws InterruptedException {
        KVGrpc.KVStub kv = KVGrpc.newStub(channel);
        long deadlineNanos = System.nanoTime() + timeout.toNanos();
        while (caughtUp.getCount() > 0 && System.nanoTime() - deadlineNanos < 0) {
            // A refused connection puts the channel into exponential back-off (up to minutes);
            // the member's listener may open at any moment, so every poll dials again at once.
            channel.resetConnectBackoff();
            polls.incrementAndGet();
            kv.withDeadlineAfter(attemptTimeout.toMillis(), TimeUnit.MILLISECONDS).range(probe, new Answer());
            caughtUp.await(interval.toNanos(), TimeUnit.NANOSECONDS);
        }
        return new Outcome(firstAnswerUnixNanos.get(), caughtUpUnixNanos.get(), highestRevision.get(), polls.get(),
                lastError.get());
    }

    static long unixNanosNow() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private final class Answer implements StreamObserver<RangeResponse> {
        @Override
        public void onNext(RangeResponse response) {
            long now = unixNanosNow();
            firstAnswerUnixNanos.compareAndSet(0, now);
            long revision = response.getHeader().getRevision();
            highestRevision.accumulateAndGet(revision, Math::max);
            if (revision >= targetRevision && response.getKvsCount() > 0) {
                caughtUpUnixNanos.compareAndSet(0, now);
                caughtUp.countDown();
            }
        }

        @Override
        public void onError(Throwable error) {
            lastError.set(LatencyStats.describe(error));
        }

        @Override
        public void onCompleted() {
        }
    }
}
