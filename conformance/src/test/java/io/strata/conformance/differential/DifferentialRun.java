package io.strata.conformance.differential;

import io.strata.conformance.harness.ServerKind;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Sends one sequence of operations to a fresh reference etcd and a fresh candidate server, one
 * operation at a time to both, and compares every answer; at the end it compares the events
 * every watch delivered. The sequence comes either from a seeded generator, steered by the
 * reference's answers, or from a recording being replayed.
 */
final class DifferentialRun {
    /** A watch that sent nothing for this long is taken to have delivered all it will. */
    static final long WATCH_QUIET_MILLIS = 400;
    /** The bound on waiting for watches to settle, at a compaction and at the end of a run. */
    static final long WATCH_SETTLE_MAX_MILLIS = 5_000;
    private static final long SETTLE_POLL_MILLIS = 20;

    /** The operations sent (all of them, or up to and including the divergent one) and the verdict. */
    record Result(List<Operation> operations, Divergence divergence, Tally tally) {}

    /** What a run compared, so a passing run shows it exercised something. */
    static final class Tally {
        final java.util.Map<String, Integer> answers = new java.util.TreeMap<>();
        int watchItems;

        void count(Operation operation, Outcome outcome) {
            String key = operation.kind() + (outcome.isError() ? " error " + outcome.errorCode() : " ok");
            answers.merge(key, 1, Integer::sum);
        }

        @Override
        public String toString() {
            return answers + ", watch items " + watchItems;
        }
    }

    private final ServerKind candidateKind;
    private final String label;

    DifferentialRun(ServerKind candidateKind, String label) {
        this.candidateKind = candidateKind;
        this.label = label;
    }

    /** Generates {@code count} operations from {@code seed} and runs them. */
    Result generated(long seed, int count) {
        OperationGenerator generator = new OperationGenerator(seed);
        return run(count, step -> generator.next(), generator::observe);
    }

    /** Runs a recorded sequence again on fresh servers. */
    Result replayed(List<Operation> operations) {
        return run(operations.size(), operations::get, (operation, outcome) -> {});
    }

    private interface Source {
        Operation at(int step);
    }

    private interface Observer {
        void observe(Operation operation, Outcome reference);
    }

    private Result run(int count, Source source, Observer observer) {
        List<Operation> sent = new ArrayList<>();
        List<Integer> watchSteps = new ArrayList<>();
        Tally tally = new Tally();
        try (ServerSession reference = ServerSession.start(ServerKind.ETCD, label + "-ref");
                ServerSession candidate = ServerSession.start(candidateKind, label + "-cand")) {
            for (int step = 0; step < count; step++) {
                Operation operation = source.at(step);
                sent.add(operation);
                if (operation.kind() == Operation.Kind.COMPACT) {
                    // A watch still catching up on old revisions must finish before they are
                    // compacted away, or what it receives depends on timing.
                    settle(reference, candidate);
                }
                if (operation.kind() == Operation.Kind.WATCH) {
                    watchSteps.add(step);
                }
                Outcome expected = reference.execute(operation);
                Outcome actual = candidate.execute(operation);
                if (!expected.sameAs(actual)) {
                    return new Result(sent, new Divergence(step, operation, false, expected.describe(),
                            actual.describe()), tally);
                }
                tally.count(operation, expected);
                observer.observe(operation, expected);
            }
            settle(reference, candidate);
            for (int i = 0; i < watchSteps.size(); i++) {
                List<Object> expected = reference.watches().get(i).history();
                List<Object> actual = candidate.watches().get(i).history();
                tally.watchItems += expected.size();
                if (!expected.equals(actual)) {
                    int step = watchSteps.get(i);
                    return new Result(sent, new Divergence(step, sent.get(step), true, describe(expected),
                            describe(actual)), tally);
                }
            }
            return new Result(sent, null, tally);
        }
    }

    private static void settle(ServerSession... sessions) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WATCH_SETTLE_MAX_MILLIS);
        long quietNanos = TimeUnit.MILLISECONDS.toNanos(WATCH_QUIET_MILLIS);
        while (System.nanoTime() < deadline) {
            boolean quiet = true;
            for (ServerSession session : sessions) {
                for (WatchRecorder watch : session.watches()) {
                    quiet &= watch.quietNanos() >= quietNanos;
                }
            }
            if (quiet) {
                return;
            }
            try {
                Thread.sleep(SETTLE_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String describe(List<Object> history) {
        return history.size() + " items\n    " + history.stream()
                .map(item -> item instanceof com.google.protobuf.Message message
                        ? message.getDescriptorForType().getName() + " "
                                + com.google.protobuf.TextFormat.shortDebugString(message)
                        : item.toString())
                .collect(Collectors.joining("\n    "));
    }
}
