package io.strata.conformance.differential;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.conformance.harness.ServerKind;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Sends the same seeded random operations to reference etcd and to the target server and
 * requires every answer, error and watch event to be equal. On a difference it shrinks the
 * sequence and prints the seed, the step, both answers and the small reproduction.
 * Reproduce one seed with {@code -Dstrata.diff.seed=N -Dstrata.diff.ops=K} (or search more with
 * {@code -Dstrata.diff.seed=100..119}). When the target is
 * etcd itself the run compares two etcd servers, a check of the test's own determinism.
 */
class DifferentialTest {
    static final List<Long> DEFAULT_SEEDS = List.of(1L, 2L, 3L);
    static final int DEFAULT_OPERATIONS = 300;

    @Test
    void targetAnswersEverySeededOperationLikeReferenceEtcd() {
        ServerKind candidate = ServerKind.target();
        int count = Integer.getInteger("strata.diff.ops", DEFAULT_OPERATIONS);
        List<String> failures = new ArrayList<>();
        for (long seed : seeds()) {
            DifferentialRun run = new DifferentialRun(candidate, "differential-" + seed);
            DifferentialRun.Result result = run.generated(seed, count);
            System.out.println("differential seed " + seed + ", " + result.operations().size()
                    + " operations against " + candidate + ": " + result.tally());
            if (result.divergence() != null) {
                // Printed before shrinking, which restarts servers many times, so that the
                // finding survives whatever happens to the shrink.
                System.out.println("differential seed " + seed + " diverges at " + result.divergence().describe());
                failures.add(report(seed, candidate, run, result));
            }
        }
        assertThat(failures).as("differences between etcd and %s", candidate).isEmpty();
    }

    /** One seed, a comma-separated list, or an inclusive range written {@code 10..19}. */
    private static List<Long> seeds() {
        String seed = System.getProperty("strata.diff.seed");
        if (seed == null || seed.isBlank() || seed.startsWith("${")) {
            return DEFAULT_SEEDS;
        }
        List<Long> seeds = new ArrayList<>();
        for (String part : seed.split(",")) {
            String[] bounds = part.trim().split("\\.\\.");
            long first = Long.parseLong(bounds[0].trim());
            long last = bounds.length > 1 ? Long.parseLong(bounds[1].trim()) : first;
            for (long s = first; s <= last; s++) {
                seeds.add(s);
            }
        }
        return seeds;
    }

    private static String report(long seed, ServerKind candidate, DifferentialRun run, DifferentialRun.Result result) {
        Divergence divergence = result.divergence();
        // A watch's history depends on every operation sent after it, not only those before.
        int opsToReproduce = divergence.inWatchHistory() ? result.operations().size() : divergence.step() + 1;
        String header = "seed " + seed + " (-Dstrata.diff.seed=" + seed + " -Dstrata.diff.ops=" + opsToReproduce
                + "), etcd vs " + candidate + ", " + divergence.describe();
        if (!Boolean.parseBoolean(System.getProperty("strata.diff.shrink", "true"))) {
            return header;
        }
        Shrinker.Shrunk shrunk = new Shrinker(run).shrink(result.operations(), divergence);
        String reproduction = IntStream.range(0, shrunk.operations().size())
                .mapToObj(i -> "    " + i + ": " + shrunk.operations().get(i).describe())
                .collect(Collectors.joining("\n"));
        return header
                + "\n  shrunk in " + shrunk.attempts() + " attempts to " + shrunk.operations().size()
                + " operations:\n" + reproduction + "\n  which diverge at " + shrunk.divergence().describe();
    }
}
