package io.strata.bench;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Latencies and errors of one run, recorded from many threads at once. Recording is wait-free
 * (HdrHistogram's {@link Recorder}); the progress reporter drains it once a second into the
 * run's total histogram, which only that one reader touches.
 */
final class LatencyStats {
    private static final int significantDigits = 3;

    private final Recorder recorder = new Recorder(significantDigits);
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicReference<String> firstError = new AtomicReference<>();
    private final long maxErrors;
    private volatile String abortReason;
    // Owned by whoever calls drain(); the progress thread while the run lasts, then the main thread.
    private final Histogram total = new Histogram(significantDigits);
    private Histogram interval;

    LatencyStats(long maxErrors) {
        this.maxErrors = maxErrors;
    }

    void recordNanos(long latencyNanos) {
        recorder.recordValue(Math.max(0, latencyNanos));
        completed.incrementAndGet();
    }

    /** An operation that completed but is not measured (warm-up); it still shows the run is alive. */
    void recordUntimed() {
        completed.incrementAndGet();
    }

    void recordError(Throwable error) {
        long count = errors.incrementAndGet();
        firstError.compareAndSet(null, describe(error));
        if (maxErrors >= 0 && count > maxErrors) {
            abort("more than " + maxErrors + " errors; the first: " + firstError.get());
        }
    }

    void abort(String reason) {
        if (abortReason == null) {
            abortReason = reason;
        }
    }

    boolean aborted() {
        return abortReason != null;
    }

    String abortReason() {
        return abortReason;
    }

    long errors() {
        return errors.get();
    }

    /** Operations completed successfully so far, timed or not, including any not yet drained. */
    long completed() {
        return completed.get();
    }

    String firstError() {
        return firstError.get();
    }

    /** Moves what was recorded since the last call into the total; returns that interval. */
    Histogram drain() {
        interval = recorder.getIntervalHistogram(interval);
        total.add(interval);
        return interval;
    }

    Histogram total() {
        return total;
    }

    static String describe(Throwable error) {
        String message = error.getMessage();
        return message == null ? error.getClass().getSimpleName() : message;
    }
}
