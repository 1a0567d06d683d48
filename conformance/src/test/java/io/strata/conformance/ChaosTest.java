package io.strata.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.api.StatusResponse;
import io.strata.conformance.harness.Cluster;
import io.strata.conformance.harness.EtcdGrpc;
import io.strata.conformance.harness.PeerNetwork;
import io.strata.conformance.harness.RecordingKvClient;
import io.strata.conformance.harness.ServerKind;
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
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Several clients, each bound to one member of a three-member cluster, run puts, linearizable
 * reads, deletes and compare-and-sets over a few keys while members crash, stop and lose their
 * peers. Afterwards every member is killed and restarted, each one reads every key, and the
 * whole history must be linearizable: which also says that every acknowledged write survived,
 * since the final reads are part of the history. The history is kept in
 * {@code conformance/target/conformance-runs/} next to the members' logs.
 */
class ChaosTest {
    static final int CLIENTS_PER_MEMBER = 2;
    static final int KEY_COUNT = 8;
    static final Duration REQUEST_DEADLINE = Duration.ofSeconds(2);
    static final Duration LEADER_TIMEOUT = Duration.ofSeconds(30);
    static final Duration FINAL_READ_TIMEOUT = Duration.ofSeconds(30);
    static final Duration STATUS_DEADLINE = Duration.ofSeconds(1);
    static final long POLL_MILLIS = 100;
    static final int FINAL_READER_ID_BASE = 100;

    /**
     * One cluster goes through every fault in turn, since starting and restarting members is
     * what costs the time here: the leader is killed with SIGKILL and comes back, a follower is
     * stopped with SIGTERM and comes back, then the leader and later a follower are cut off from
     * their peers and reconnected.
     */
    @Test
    void historyStaysLinearizableThroughCrashesRestartsAndPartitions() throws Exception {
        try (Cluster cluster = Cluster.startWithPeerProxies(ServerKind.target(), "ChaosTest", 3)) {
            PeerNetwork network = cluster.peerNetwork();
            List<Operation> history;
            try (Workload workload = Workload.start(cluster, "chaos")) {
                pace(Duration.ofSeconds(2));
                int killed = killLeaderAndRestartIt(cluster);
                stopAFollowerAndRestartIt(cluster, killed);
                isolateTheLeaderAndHeal(cluster, network);
                isolateAFollowerAndHeal(cluster, network);
                history = workload.stop();
            }
            assertThat(network.refusedConnections()).as("peer connections the partitions refused").isPositive();
            assertLinearizableAfterFullRestart(cluster, "ChaosTest", history);
        }
    }

    /** Returns the index of the member it killed. */
    private static int killLeaderAndRestartIt(Cluster cluster) throws InterruptedException {
        int leader = awaitLeader(cluster, allMembers(cluster));
        cluster.member(leader).kill9();
        awaitLeader(cluster, allBut(cluster, leader));
        pace(Duration.ofSeconds(1));
        cluster.member(leader).start();
        pace(Duration.ofSeconds(1));
        return leader;
    }

    /** Stops a follower other than {@code spared}, so that the faults spread over the members. */
    private static void stopAFollowerAndRestartIt(Cluster cluster, int spared) throws InterruptedException {
        int leader = awaitLeader(cluster, allMembers(cluster));
        int follower = IntStream.range(0, 3).filter(i -> i != leader && i != spared).findFirst().orElseThrow();
        cluster.member(follower).stop();
        pace(Duration.ofSeconds(2));
        cluster.member(follower).start();
        pace(Duration.ofSeconds(1));
    }

    private static void isolateTheLeaderAndHeal(Cluster cluster, PeerNetwork network) throws InterruptedException {
        int leader = awaitLeader(cluster, allMembers(cluster));
        network.isolate(leader);
        // Both remaining members must agree on a leader among themselves, so not the old one.
        awaitLeader(cluster, allBut(cluster, leader));
        pace(Duration.ofSeconds(2));
        network.heal();
        pace(Duration.ofSeconds(1));
    }

    private static void isolateAFollowerAndHeal(Cluster cluster, PeerNetwork network) throws InterruptedException {
        int follower = (awaitLeader(cluster, allMembers(cluster)) + 1) % 3;
        network.isolate(follower);
        pace(Duration.ofSeconds(3));
        network.heal();
        awaitLeader(cluster, allMembers(cluster));
        pace(Duration.ofSeconds(2));
    }

    /** The clients and their threads; {@link #stop} ends the run and returns everything they did. */
    static final class Workload implements AutoCloseable {
        private final List<RecordingKvClient> clients = new ArrayList<>();
        private final List<Thread> threads = new ArrayList<>();
        private final Queue<Throwable> clientFailures = new ConcurrentLinkedQueue<>();
        private volatile boolean stopping;

        static Workload start(Cluster cluster, String label) {
            Workload workload = new Workload();
            int members = cluster.members().size();
            for (int id = 0; id < CLIENTS_PER_MEMBER * members; id++) {
                RecordingKvClient client = new RecordingKvClient(id, cluster.member(id % members).clientUrl(),
                        REQUEST_DEADLINE, keys(), Objects.hash(label, id));
                workload.clients.add(client);
                Thread thread = new Thread(() -> {
                    try {
                        client.runUntil(() -> workload.stopping);
                    } catch (RuntimeException | Error e) {
                        workload.clientFailures.add(e);
                    }
                }, "chaos-client-" + id);
                thread.setDaemon(true);
                workload.threads.add(thread);
            }
            workload.threads.forEach(Thread::start);
            return workload;
        }

        List<Operation> stop() throws InterruptedException {
            stopping = true;
            for (Thread thread : threads) {
                // A request in flight ends within its deadline.
                thread.join(2 * REQUEST_DEADLINE.toMillis() + 1_000);
                assertThat(thread.isAlive()).as(thread.getName() + " stopped").isFalse();
            }
            // A client that died early would leave a short history that proves little.
            assertThat(clientFailures).as("clients that failed outside a request").isEmpty();
            return clients.stream().flatMap(client -> client.history().stream()).collect(Collectors.toList());
        }

        @Override
        public void close() {
            stopping = true;
            clients.forEach(RecordingKvClient::close);
        }
    }

    /**
     * Kills every member at once and restarts it from its data directory, reads every key through
     * each member, and checks the history with those reads at its end.
     */
    private static void assertLinearizableAfterFullRestart(Cluster cluster, String label, List<Operation> workload)
            throws Exception {
        cluster.crashAndRestartAll();
        List<Operation> history = new ArrayList<>(workload);
        Map<String, List<Operation>> finalReads = new HashMap<>();
        for (int m = 0; m < cluster.members().size(); m++) {
            try (RecordingKvClient reader = new RecordingKvClient(FINAL_READER_ID_BASE + m,
                    cluster.member(m).clientUrl(), REQUEST_DEADLINE, keys(), m)) {
                for (String key : keys()) {
                    long deadline = System.nanoTime() + FINAL_READ_TIMEOUT.toNanos();
                    while (!reader.read(key)) {
                        assertThat(System.nanoTime()).as("read of %s through %s", key, cluster.member(m))
                                .isLessThan(deadline);
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
                .as("acknowledged operations").isGreaterThan(100);
        assertCheckerCatchesAPlantedStaleRead(history);
        for (String key : keys()) {
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

    /**
     * Waits until every member in {@code among} names the same leader, one of them, and returns
     * its index. Members outside {@code among} (killed or cut off) are not asked.
     */
    static int awaitLeader(Cluster cluster, Set<Integer> among) throws InterruptedException {
        long deadline = System.nanoTime() + LEADER_TIMEOUT.toNanos();
        String lastSeen = "";
        while (System.nanoTime() < deadline) {
            Map<Integer, StatusResponse> statuses = new HashMap<>();
            for (int index : among) {
                StatusResponse status = status(cluster.member(index));
                if (status != null) {
                    statuses.put(index, status);
                }
            }
            lastSeen = statuses.toString();
            if (statuses.size() == among.size()) {
                Set<Long> leaders = statuses.values().stream().map(StatusResponse::getLeader)
                        .collect(Collectors.toSet());
                for (Map.Entry<Integer, StatusResponse> entry : statuses.entrySet()) {
                    long self = entry.getValue().getHeader().getMemberId();
                    if (leaders.size() == 1 && self == leaders.iterator().next()) {
                        return entry.getKey();
                    }
                }
            }
            Thread.sleep(POLL_MILLIS);
        }
        throw new AssertionError("members " + among + " did not agree on a leader among them within "
                + LEADER_TIMEOUT.toSeconds() + " s; last statuses: " + lastSeen);
    }

    private static StatusResponse status(ServerProcess member) {
        try (EtcdGrpc grpc = EtcdGrpc.connect(member.clientUrl())) {
            return grpc.maintenance().withDeadlineAfter(STATUS_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                    .status(StatusRequest.getDefaultInstance());
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Set<Integer> allMembers(Cluster cluster) {
        return IntStream.range(0, cluster.members().size()).boxed().collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<Integer> allBut(Cluster cluster, int excluded) {
        Set<Integer> members = allMembers(cluster);
        members.remove(excluded);
        return members;
    }

    static List<String> keys() {
        return IntStream.range(0, KEY_COUNT).mapToObj(i -> "/chaos/k" + i).toList();
    }

    /** The fault schedule's own pacing: the workload runs on meanwhile. */
    private static void pace(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }

    private static Path writeHistory(String fileName, List<Operation> history) throws IOException {
        Path file = Tools.workDir().resolve(fileName);
        Files.createDirectories(file.getParent());
        Files.write(file, history.stream().sorted(Comparator.comparingLong(Operation::invokeNanos))
                .map(Operation::toString).toList());
        return file;
    }
}
