package io.strata.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.conformance.harness.Cluster;
import io.strata.conformance.harness.RecordingKvClient;
import io.strata.conformance.harness.ServerProcess;
import io.strata.conformance.harness.Tools;
import io.strata.conformance.linearizability.AnomalyPlanter;
import io.strata.conformance.linearizability.CheckResult;
import io.strata.conformance.linearizability.KvInput;
import io.strata.conformance.linearizability.KvOutput;
import io.strata.conformance.linearizability.LinearizabilityChecker;
import io.strata.conformance.linearizability.Operation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * The end of a chaos run: every member is killed and restarted, each one reads every key, and
 * the whole history must be linearizable, which also says that every acknowledged write
 * survived, since the final reads are part of the history. The history is kept in
 * {@code conformance/target/conformance-runs/} next to the members' logs.
 */
final class ChaosHistoryCheck {
    static final Duration FINAL_READ_TIMEOUT = Duration.ofSeconds(30);
    static final long POLL_MILLIS = 100;
    static final long MIN_ACKNOWLEDGED_OPERATIONS = 100;

    private ChaosHistoryCheck() {
    }

    /**
     * Kills every one of {@code members} at once and restarts it from its data directory, reads
     * every key through each, and checks the history with those reads at its end.
     */
    static void assertLinearizableAfterFullRestart(Cluster cluster, List<ServerProcess> members, String label,
            List<Operation> workload) throws Exception {
        cluster.crashAndRestart(members);
        List<Operation> history = new ArrayList<>(workload);
        Map<String, List<Operation>> finalReads = new HashMap<>();
        for (int m = 0; m < members.size(); m++) {
            ServerProcess member = members.get(m);
            try (RecordingKvClient reader = new RecordingKvClient(ChaosWorkload.FINAL_READER_ID_BASE + m,
                    member.clientUrl(), ChaosWorkload.REQUEST_DEADLINE, ChaosWorkload.keys(), m)) {
                for (String key : ChaosWorkload.keys()) {
                    long deadline = System.nanoTime() + FINAL_READ_TIMEOUT.toNanos();
                    while (!reader.read(key)) {
                        assertThat(System.nanoTime()).as("read of %s through %s", key, member).isLessThan(deadline);
                        Thread.sleep(POLL_MILLIS);
                    }
                }
                for (Operation read : reader.history()) {
                    if (!read.isUnknown()) {
                        finalReads.computeIfAbsent(read.input().key(), k -> new ArrayList<>()).add(read);
                    }
                }
                history.addAll(reader.history());
            }
        }
        Path historyFile = writeHistory(label + "-" + cluster.kind().name().toLowerCase() + "-history.txt", history);
        long unknown = workload.stream().filter(Operation::isUnknown).count();
        System.out.printf("%s on %s: %d operations (%d unknown), history in %s%n", label, cluster.kind(),
                workload.size(), unknown, historyFile);

        long checkStarted = System.nanoTime();
        CheckResult result = LinearizabilityChecker.check(history);
        System.out.printf("checked in %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - checkStarted));
        assertThat(result.isLinearizable()).as("history in %s, logs in %s:%n%s", historyFile,
                cluster.member(0).logFile().getParent(), result.report()).isTrue();
        assertThat(workload.stream().filter(op -> !op.isUnknown()).count())
                .as("acknowledged operations").isGreaterThan(MIN_ACKNOWLEDGED_OPERATIONS);
        assertCheckerCatchesAPlantedStaleRead(history);
        for (String key : ChaosWorkload.keys()) {
            assertFinalStateExplainedByWrites(key, workload, finalReads.get(key));
        }
    }

    /**
     * The check has teeth on this very history: one read changed to return a value that a later
     * acknowledged write had already replaced must fail it. A recorder that lost the details the
     * checker needs would pass everything and fail here.
     */
    private static void assertCheckerCatchesAPlantedStaleRead(List<Operation> history) {
        List<Operation> planted = new AnomalyPlanter(new Random(1), history).staleRead()
                .orElseThrow(() -> new AssertionError("no read in the history follows two acknowledged puts"));
        long started = System.nanoTime();
        CheckResult result = LinearizabilityChecker.check(planted);
        System.out.printf("planted stale read: %d anomalies, %d undecided keys, in %d ms%n", result.anomalies().size(),
                result.undecided().size(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        assertThat(result.isLinearizable()).as("the history with a planted stale read passed").isFalse();
    }

    /**
     * A direct restatement of what linearizability already implies for the end state, for a
     * clearer message: all members agree, and the final value is the acknowledged write with
     * the highest revision, or an unknown write that came after it.
     */
    private static void assertFinalStateExplainedByWrites(String key, List<Operation> workload,
            List<Operation> reads) {
        List<KvOutput.GetOk> seen = reads.stream().map(read -> (KvOutput.GetOk) read.output()).toList();
        assertThat(seen.stream().map(s -> s.value() + "@" + s.modRevision()).distinct())
                .as("final reads of %s through every member agree", key).hasSize(1);
        KvOutput.GetOk last = seen.get(0);
        Operation lastAcknowledged = workload.stream()
                .filter(op -> op.input().key().equals(key) && !op.isUnknown() && changedTheKey(op))
                .max(Comparator.comparingLong(op -> op.output().headerRevision())).orElse(null);
        String expected = lastAcknowledged == null ? null : writtenValue(lastAcknowledged.input());
        if (Objects.equals(last.value(), expected)) {
            return;
        }
        boolean anUnknownWriteExplainsIt = workload.stream()
                .filter(op -> op.isUnknown() && op.input().key().equals(key))
                .anyMatch(op -> Objects.equals(writtenValue(op.input()), last.value()));
        assertThat(anUnknownWriteExplainsIt).as("final value %s of %s: the last acknowledged write was %s",
                last, key, lastAcknowledged).isTrue();
    }

    private static boolean changedTheKey(Operation op) {
        KvOutput output = op.output();
        return output instanceof KvOutput.PutOk
                || (output instanceof KvOutput.DeleteOk deleted && deleted.deleted() > 0)
                || (output instanceof KvOutput.CasOk cas && cas.succeeded());
    }

    /** The value a write leaves behind: null for a delete. */
    private static String writtenValue(KvInput input) {
        if (input instanceof KvInput.Put put) {
            return put.value();
        }
        if (input instanceof KvInput.CompareAndSet cas) {
            return cas.value();
        }
        return null;
    }

    private static Path writeHistory(String fileName, List<Operation> history) throws IOException {
        Path file = Tools.workDir().resolve(fileName);
        Files.createDirectories(file.getParent());
        Files.write(file, history.stream().sorted(Comparator.comparingLong(Operation::invokeNanos))
                .map(Operation::toString).toList());
        return file;
    }
}
