package io.strata.bench;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When a run stops: after a number of operations have been started, or once a time has passed.
 * Every client asks before each operation; operations already in flight when the budget runs
 * out still complete and count.
 */
final class OpBudget {
    private final long totalOps;
    private final long durationNanos;
    private final AtomicLong started = new AtomicLong();
    private volatile long deadlineNanos;

    private OpBudget(long totalOps, long durationNanos) {
        this.totalOps = totalOps;
        this.durationNanos = durationNanos;
    }

    static OpBudget ofOps(long totalOps) {
        if (totalOps < 1) {
            throw new IllegalArgumentException("--total must be at least 1, got " + totalOps);
        }
        return new OpBudget(totalOps, 0);
    }

    static OpBudget ofDuration(Duration duration) {
        if (duration.isZero() || duration.isNegative()) {
            throw new IllegalArgumentException("--duration must be positive, got " + duration);
        }
        return new OpBudget(0, duration.toNanos());
    }

    boolean countsOps() {
        return totalOps > 0;
    }

    long totalOps() {
        return totalOps;
    }

    Duration duration() {
        return Duration.ofNanos(durationNanos);
    }

    /** Starts the clock of a duration-bound run; called once, just before the first operation. */
    void start(long nowNanos) {
        deadlineNanos = nowNanos + durationNanos;
    }

    /** Whether one more operation may start; each {@code true} is one operation used. */
    boolean tryAcquire(long nowNanos) {
        if (totalOps > 0) {
            return started.incrementAndGet() <= totalOps;
        }
        return nowNanos - deadlineNanos < 0;
    }

    /** The fraction used so far, for the progress line. */
    double fractionDone(long nowNanos) {
        if (totalOps > 0) {
            return Math.min(1.0, (double) started.get() / totalOps);
        }
        return Math.min(1.0, 1.0 - (double) (deadlineNanos - nowNanos) / durationNanos);
    }
}
