package io.strata.bench;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code clients} closed loops: each client has exactly one operation in flight and starts
 * the next when the previous one ends, until the budget is used up or the run is aborted. The
 * number of clients is therefore the number of concurrent requests the server sees.
 */
final class ClosedLoopDriver {
    private static final long abortPollMillis = 100;

    private final int clients;
    private final long warmupNanos;
    private final OpBudget budget;
    private final LatencyStats stats;
    private final CountDownLatch finished;
    // A failed call may report its failure on the thread that started it; starting the next
    // operation from another thread keeps a run of instant failures from growing the stack.
    private final ExecutorService afterFailure = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "bench-after-failure");
        thread.setDaemon(true);
        return thread;
    });

    private volatile long measureFromNanos;

    ClosedLoopDriver(int clients, Duration warmup, OpBudget budget, LatencyStats stats) {
        if (clients < 1) {
            throw new IllegalArgumentException("--clients must be at least 1, got " + clients);
        }
        if (warmup.isNegative()) {
            throw new IllegalArgumentException("--warmup must not be negative, got " + warmup);
        }
        this.clients = clients;
        this.warmupNanos = warmup.toNanos();
        this.budget = budget;
        this.stats = stats;
        this.finished = new CountDownLatch(clients);
    }

    /**
     * Runs the loops and returns the measured seconds: from the end of the warm-up to the last
     * end (or to the abort). Blocks the calling thread. Operations that start during the warm-up
     * run at full load but are neither timed nor counted against the budget: they let both the
     * server and this JVM reach a steady state first.
     */
    double run(AsyncOp op) throws InterruptedException {
        long startNanos = System.nanoTime();
        measureFromNanos = startNanos + warmupNanos;
        budget.start(measureFromNanos);
        for (int client = 0; client < clients; client++) {
            next(op, client);
        }
        while (!finished.await(abortPollMillis, TimeUnit.MILLISECONDS)) {
            if (stats.aborted()) {
                break;
            }
        }
        double elapsedSeconds = Math.max(0, System.nanoTime() - measureFromNanos) / 1e9;
        afterFailure.shutdownNow();
        return elapsedSeconds;
    }

    private void next(AsyncOp op, int client) {
        long startNanos = System.nanoTime();
        boolean warmingUp = startNanos - measureFromNanos < 0;
        if (stats.aborted() || (!warmingUp && !budget.tryAcquire(startNanos))) {
            finished.countDown();
            return;
        }
        try {
            op.start(client, new AsyncOp.Done() {
                @Override
                public void succeeded() {
                    if (warmingUp) {
                        stats.recordUntimed();
                    } else {
                        stats.recordNanos(System.nanoTime() - startNanos);
                    }
                    next(op, client);
                }

                @Override
                public void failed(Throwable error) {
                    stats.recordError(error);
                    retryLater(op, client);
                }

                @Override
                public boolean measured() {
                    return !warmingUp;
                }
            });
        } catch (RuntimeException e) {
            stats.recordError(e);
            retryLater(op, client);
        }
    }

    private void retryLater(AsyncOp op, int client) {
        try {
            afterFailure.execute(() -> next(op, client));
        } catch (RejectedExecutionException e) {
            finished.countDown();
        }
    }
}
