package io.strata.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ClosedLoopDriverTest {
    private final ExecutorService server = Executors.newFixedThreadPool(2);

    @AfterEach
    void stopServer() {
        server.shutdownNow();
    }

    @Test
    void everyOperationOfTheBudgetIsTimedOnce() throws InterruptedException {
        LatencyStats stats = new LatencyStats(0);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();
        AsyncOp op = (client, done) -> {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            server.execute(() -> {
                inFlight.decrementAndGet();
                done.succeeded();
            });
        };
        new ClosedLoopDriver(4, Duration.ZERO, OpBudget.ofOps(1_000), stats).run(op);
        stats.drain();

        assertThat(stats.total().getTotalCount()).isEqualTo(1_000);
        assertThat(stats.errors()).isZero();
        assertThat(maxInFlight.get()).isLessThanOrEqualTo(4);
    }

    @Test
    void tooManyErrorsAbortTheRun() throws InterruptedException {
        LatencyStats stats = new LatencyStats(10);
        AsyncOp failing = (client, done) -> server.execute(() -> done.failed(new IllegalStateException("refused")));
        new ClosedLoopDriver(2, Duration.ZERO, OpBudget.ofOps(1_000_000), stats).run(failing);

        assertThat(stats.aborted()).isTrue();
        assertThat(stats.abortReason()).contains("more than 10 errors", "refused");
        assertThat(stats.errors()).isLessThan(1_000_000);
    }
}
