package io.strata.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import org.HdrHistogram.Histogram;

/**
 * Prints one line a second to stderr while a run lasts (throughput over the last second, p99 so
 * far), and stops a run that has stalled: when no operation completes for {@code stallTimeout},
 * the server is not answering and waiting longer measures nothing.
 */
final class ProgressReporter implements AutoCloseable {
    private static final long intervalMillis = 1_000;

    private final String workload;
    private final LatencyStats stats;
    private final PrintStream out;
    private final long stallTimeoutNanos;
    private final Thread thread;
    private volatile boolean stopped;

    ProgressReporter(String workload, LatencyStats stats, PrintStream out, Duration stallTimeout) {
        this.workload = workload;
        this.stats = stats;
        this.out = out;
        this.stallTimeoutNanos = stallTimeout.toNanos();
        this.thread = new Thread(this::run, "bench-progress");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        long startNanos = System.nanoTime();
        long lastNanos = startNanos;
        long lastCompleted = 0;
        long lastProgressNanos = startNanos;
        while (!stopped) {
            try {
                Thread.sleep(intervalMillis);
            } catch (InterruptedException e) {
                return;
            }
            if (stopped) {
                return;
            }
            long now = System.nanoTime();
            Histogram interval = stats.drain();
            double seconds = (now - lastNanos) / 1e9;
            out.println(line(workload, (now - startNanos) / 1e9, interval.getTotalCount() / seconds,
                    stats.total().getValueAtPercentile(99.0) / 1e6, stats.total().getTotalCount(), stats.errors()));
            out.flush();
            lastNanos = now;
            long completed = stats.completed();
            if (completed != lastCompleted) {
                lastCompleted = completed;
                lastProgressNanos = now;
            } else if (now - lastProgressNanos > stallTimeoutNanos) {
                stats.abort("no operation completed in " + Duration.ofNanos(stallTimeoutNanos).toSeconds() + "s");
            }
        }
    }

    static String line(String workload, double elapsedSeconds, double opsPerSecond, double p99Millis,
            long totalOps, long errors) {
        return String.format(Locale.ROOT, "%s %6.1fs %10.0f ops/s  p99 %8.3f ms  ops %d  errors %d",
                workload, elapsedSeconds, opsPerSecond, p99Millis, totalOps, errors);
    }

    @Override
    public void close() {
        stopped = true;
        thread.interrupt();
        try {
            thread.join(intervalMillis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
