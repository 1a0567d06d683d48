package io.strata.bench;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;

/**
 * The measured phase of a closed-loop workload: stats, the progress line, the loops, and the
 * summary. Set-up work (preloading keys, granting leases) goes through {@link #untimed} so it
 * shows progress but stays out of the numbers.
 */
final class BenchRun {
    private BenchRun() {
    }

    static Summary closedLoop(String workload, CommonOptions common, Map<String, Object> parameters, AsyncOp op)
            throws InterruptedException {
        return closedLoop(workload, common.clients, common.warmup, common.budget(), common.maxErrors,
                common.stallTimeout, parameters, op, System.err);
    }

    static Summary closedLoop(String workload, int clients, Duration warmup, OpBudget budget, long maxErrors,
            Duration stallTimeout, Map<String, Object> parameters, AsyncOp op, PrintStream progressOut)
            throws InterruptedException {
        LatencyStats stats = new LatencyStats(maxErrors);
        ClosedLoopDriver driver = new ClosedLoopDriver(clients, warmup, budget, stats);
        double elapsedSeconds;
        try (ProgressReporter progress = new ProgressReporter(workload, stats, progressOut, stallTimeout)) {
            progress.start();
            elapsedSeconds = driver.run(op);
        }
        stats.drain();
        return finish(new Summary(workload, parameters), stats, elapsedSeconds);
    }

    static Summary finish(Summary summary, LatencyStats stats, double elapsedSeconds) {
        summary.result(stats.total(), stats.errors(), elapsedSeconds);
        if (stats.firstError() != null) {
            summary.field("firstError", stats.firstError());
        }
        if (stats.aborted()) {
            summary.field("aborted", stats.abortReason());
        }
        return summary;
    }

    /** Runs set-up operations with all clients; fails if any of them fails. */
    static void untimed(String what, CommonOptions common, long ops, AsyncOp op) throws InterruptedException {
        Summary summary = closedLoop(what, common.clients, Duration.ZERO, OpBudget.ofOps(ops), 0,
                common.stallTimeout, Map.of(), op, System.err);
        Map<String, Object> result = summary.asMap();
        if (result.containsKey("aborted")) {
            throw new IllegalStateException(what + " failed: " + result.get("aborted"));
        }
    }

    /** Prints the summary on stdout; the exit code says whether the run went to its end. */
    static int print(Summary summary) {
        System.out.println(summary.toJson());
        System.out.flush();
        return summary.asMap().containsKey("aborted") ? 1 : 0;
    }
}
