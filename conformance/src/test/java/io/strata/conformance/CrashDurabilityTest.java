package io.strata.conformance;

import static io.strata.conformance.Jetcd.assertJetcdFails;
import static io.strata.conformance.Jetcd.await;
import static io.strata.conformance.Jetcd.bytes;
import static io.strata.conformance.Jetcd.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.options.GetOption;
import io.grpc.Status;
import io.strata.conformance.harness.Cluster;
import io.strata.conformance.harness.ServerKind;
import io.strata.conformance.harness.ServerProcess;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.Test;

/**
 * Kills the server with SIGKILL while several clients write, restarts it on the same data
 * directory and checks that every acknowledged write survived with its value and revision,
 * and that the revision goes on from there.
 */
class CrashDurabilityTest {
    static final int WRITERS = 4;
    static final int ACKNOWLEDGED_WRITES_BEFORE_KILL = 300;
    /** A bound in case the kill never lands: writers stop by themselves after this many puts. */
    static final int MAX_WRITES_PER_WRITER = 5_000;
    static final long ACK_WAIT_SECONDS = 60;

    record Ack(String key, String value, long revision) {}

    @Test
    void everyAcknowledgedWriteSurvivesRepeatedKillNine() throws Exception {
        try (Cluster cluster = Cluster.startSingle(ServerKind.target(), "CrashDurabilityTest")) {
            ServerProcess member = cluster.member(0);
            List<Ack> acknowledged = new ArrayList<>();
            for (int round = 1; round <= 3; round++) {
                acknowledged.addAll(writeUntilKilled(cluster, "/crash/round" + round + "/", revision -> { }));
                member.start();
                assertAllPresentAndRevisionContinues(cluster, acknowledged);
            }
        }
    }

    /**
     * With a small snapshot count the member snapshots its state and drops WAL segments several
     * times per round, so restarts go through a snapshot plus the WAL tail after it.
     */
    @Test
    void everyAcknowledgedWriteSurvivesKillNineAcrossSnapshots() throws Exception {
        try (Cluster cluster = Cluster.startSingleWithFlags(ServerKind.target(), "CrashDurabilitySnapshotTest",
                List.of("--snapshot-count=100"))) {
            ServerProcess member = cluster.member(0);
            List<Ack> acknowledged = new ArrayList<>();
            for (int round = 1; round <= 2; round++) {
                acknowledged.addAll(writeUntilKilled(cluster, "/crash/snap/round" + round + "/", revision -> { }));
                member.start();
                assertAllPresentAndRevisionContinues(cluster, acknowledged);
            }
        }
    }

    @Test
    void acknowledgedWritesAndTheCompactionSurviveKillNineRightAfterCompacting() throws Exception {
        try (Cluster cluster = Cluster.startSingle(ServerKind.target(), "CrashDurabilityCompactionTest")) {
            ServerProcess member = cluster.member(0);
            long[] compactedAt = new long[1];
            List<Ack> acknowledged = writeUntilKilled(cluster, "/crash/compaction/", revision -> {
                try (Client client = cluster.newClient()) {
                    await(client.getKVClient().compact(revision));
                    compactedAt[0] = revision;
                }
            });
            member.start();

            assertAllPresentAndRevisionContinues(cluster, acknowledged);
            try (Client client = cluster.newClient()) {
                assertJetcdFails(() -> client.getKVClient().get(bytes("/crash/compaction/"),
                                GetOption.builder().withRevision(compactedAt[0] - 1).build()),
                        Status.Code.OUT_OF_RANGE, KvCompactionJetcdTest.COMPACTED);
            }
        }
    }

    /**
     * Runs the writers until enough puts are acknowledged, calls {@code beforeKill} with the
     * highest acknowledged revision (writers keep going meanwhile), kills the server and returns
     * the acknowledged writes.
     */
    private static List<Ack> writeUntilKilled(Cluster cluster, String prefix, LongConsumer beforeKill)
            throws Exception {
        Queue<Ack> acks = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Client> clients = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                Client client = cluster.newClient();
                clients.add(client);
                String writerPrefix = prefix + "w" + w + "/";
                writers.add(pool.submit(() -> write(client, writerPrefix, acks, stop)));
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ACK_WAIT_SECONDS);
            while (acks.size() < ACKNOWLEDGED_WRITES_BEFORE_KILL) {
                assertThat(System.nanoTime()).as("%d acknowledged writes within %d s", ACKNOWLEDGED_WRITES_BEFORE_KILL,
                        ACK_WAIT_SECONDS).isLessThan(deadline);
                assertThat(writers).as("writers still running").noneMatch(Future::isDone);
                Thread.sleep(5);
            }
            beforeKill.accept(acks.stream().mapToLong(Ack::revision).max().orElseThrow());
            assertThat(writers).as("writers still running at the kill").noneMatch(Future::isDone);
            cluster.member(0).kill9();
            stop.set(true);
            // Closing the clients fails the puts still in flight at once; jetcd would otherwise
            // keep retrying some of them until their timeout.
            clients.forEach(Client::close);
            clients.clear();
            for (Future<?> writer : writers) {
                writer.get(30, TimeUnit.SECONDS);
            }
        } finally {
            stop.set(true);
            pool.shutdownNow();
            pool.awaitTermination(30, TimeUnit.SECONDS);
            clients.forEach(Client::close);
        }
        return List.copyOf(acks);
    }

    /** Puts keys one after another until a put fails (the server died) or it is told to stop. */
    private static void write(Client client, String prefix, Queue<Ack> acks, AtomicBoolean stop) {
        for (int seq = 0; seq < MAX_WRITES_PER_WRITER && !stop.get(); seq++) {
            String key = prefix + String.format("%06d", seq);
            String value = "value-" + key;
            try {
                long revision = await(client.getKVClient().put(bytes(key), bytes(value))).getHeader().getRevision();
                acks.add(new Ack(key, value, revision));
            } catch (RuntimeException expectedOnceKilled) {
                return;
            }
        }
    }

    private static void assertAllPresentAndRevisionContinues(Cluster cluster, List<Ack> acknowledged) {
        try (Client client = cluster.newClient()) {
            Map<String, KeyValue> stored = new HashMap<>();
            for (KeyValue kv : await(client.getKVClient().get(bytes("/crash/"),
                    GetOption.builder().isPrefix(true).build())).getKvs()) {
                stored.put(text(kv.getKey()), kv);
            }
            for (Ack ack : acknowledged) {
                KeyValue kv = stored.get(ack.key());
                assertThat(kv).as("acknowledged write of %s at revision %d", ack.key(), ack.revision()).isNotNull();
                assertThat(text(kv.getValue())).as("value of %s", ack.key()).isEqualTo(ack.value());
                assertThat(kv.getModRevision()).as("revision of %s", ack.key()).isEqualTo(ack.revision());
            }
            long maxAcknowledged = acknowledged.stream().mapToLong(Ack::revision).max().orElseThrow();
            long next = await(client.getKVClient().put(bytes("/crash-after-restart"), bytes("x")))
                    .getHeader().getRevision();
            assertThat(next).as("revision of the first put after restart").isGreaterThan(maxAcknowledged);
        }
    }
}
