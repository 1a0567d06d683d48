package io.strata.conformance.differential;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Delta debugging over a failing sequence: drops ever smaller chunks of operations and keeps a
 * smaller sequence whenever it still makes the servers diverge in the same way. Each attempt
 * replays on fresh servers, because revisions make every operation depend on all before it;
 * attempts are bounded in number and in time, so the result is small, not necessarily minimal.
 */
final class Shrinker {
    static final int MAX_ATTEMPTS = 20;
    static final long MAX_SHRINK_SECONDS = 150;

    /** The smallest failing sequence found, with the divergence it produces. */
    record Shrunk(List<Operation> operations, Divergence divergence, int attempts) {}

    private final DifferentialRun run;

    Shrinker(DifferentialRun run) {
        this.run = run;
    }

    Shrunk shrink(List<Operation> failing, Divergence divergence) {
        List<Operation> current = upTo(failing, divergence);
        Divergence currentDivergence = divergence;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_SHRINK_SECONDS);
        int attempts = 0;
        int chunks = 2;
        while (current.size() > 1 && attempts < MAX_ATTEMPTS && System.nanoTime() < deadline) {
            int chunkSize = (current.size() + chunks - 1) / chunks;
            boolean reduced = false;
            for (int start = 0; start < current.size() && attempts < MAX_ATTEMPTS
                    && System.nanoTime() < deadline; start += chunkSize) {
                List<Operation> candidate = new ArrayList<>(current.subList(0, start));
                candidate.addAll(current.subList(Math.min(current.size(), start + chunkSize), current.size()));
                if (candidate.isEmpty()) {
                    continue;
                }
                attempts++;
                DifferentialRun.Result result;
                try {
                    result = run.replayed(candidate);
                } catch (RuntimeException e) {
                    // A server that fails to start ends the shrink with what it has found so far.
                    System.out.println("shrinking stopped: " + e.getMessage());
                    return new Shrunk(current, currentDivergence, attempts);
                }
                if (divergence.sameKindAs(result.divergence())) {
                    current = upTo(candidate, result.divergence());
                    currentDivergence = result.divergence();
                    chunks = Math.max(chunks - 1, 2);
                    reduced = true;
                    break;
                }
            }
            if (!reduced) {
                if (chunkSize == 1) {
                    break;
                }
                chunks = Math.min(chunks * 2, current.size());
            }
        }
        return new Shrunk(current, currentDivergence, attempts);
    }

    /**
     * Operations after a direct divergence cannot have caused it; a watch's history, though,
     * depends on everything sent after the watch was opened.
     */
    private static List<Operation> upTo(List<Operation> operations, Divergence divergence) {
        if (divergence.inWatchHistory()) {
            return List.copyOf(operations);
        }
        return List.copyOf(operations.subList(0, divergence.step() + 1));
    }
}
