package io.strata.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.conformance.harness.RecordingKvClient;
import io.strata.conformance.harness.ServerProcess;
import io.strata.conformance.linearizability.Operation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The concurrent clients of a chaos run: each is bound to one member and runs puts, linearizable
 * reads, deletes and compare-and-sets over a few keys on a thread of its own. Members may join
 * the run after it started ({@link #addClientsFor}) and leave it ({@link #retireClientsOf});
 * {@link #stop} ends it and returns everything every client did, retired ones included.
 */
final class ChaosWorkload implements AutoCloseable {
    static final int CLIENTS_PER_MEMBER = 2;
    static final int KEY_COUNT = 8;
    static final Duration REQUEST_DEADLINE = Duration.ofSeconds(2);
    /** Client ids from here on are the final readers', so the workload's must stay below. */
    static final int FINAL_READER_ID_BASE = 100;

    private final String label;
    private final List<BoundClient> clients = new ArrayList<>();
    private final Queue<Throwable> clientFailures = new ConcurrentLinkedQueue<>();
    private volatile boolean stopping;

    /** A client, the member it talks to, and the thread that drives it. */
    private record BoundClient(RecordingKvClient client, ServerProcess member, Thread thread, Retirement retirement) {}

    /** Set once, when the client's member leaves the run; read by the client's own thread. */
    private static final class Retirement {
        volatile boolean retired;
    }

    private ChaosWorkload(String label) {
        this.label = label;
    }

    /** Starts {@link #CLIENTS_PER_MEMBER} clients for each of {@code members}, spread over them in turn. */
    static ChaosWorkload start(List<ServerProcess> members, String label) {
        ChaosWorkload workload = new ChaosWorkload(label);
        for (int round = 0; round < CLIENTS_PER_MEMBER; round++) {
            members.forEach(workload::startClient);
        }
        return workload;
    }

    static List<String> keys() {
        return IntStream.range(0, KEY_COUNT).mapToObj(i -> "/chaos/k" + i).toList();
    }

    /** The fault schedule's own pacing: the workload runs on meanwhile. */
    static void pace(Duration duration) throws InterruptedException {
        Thread.sleep(duration.toMillis());
    }

    /** Starts {@link #CLIENTS_PER_MEMBER} more clients bound to {@code member}, which just joined. */
    synchronized void addClientsFor(ServerProcess member) {
        for (int i = 0; i < CLIENTS_PER_MEMBER; i++) {
            startClient(member);
        }
    }

    /**
     * Stops the clients bound to {@code member}, which left the cluster, and waits for them: a
     * client would otherwise only collect failures from a member that can no longer answer. What
     * they did stays in the history.
     */
    synchronized void retireClientsOf(ServerProcess member) throws InterruptedException {
        List<BoundClient> bound = clients.stream().filter(c -> c.member() == member).toList();
        assertThat(bound).as("clients bound to %s", member).isNotEmpty();
        bound.forEach(c -> c.retirement().retired = true);
        for (BoundClient c : bound) {
            awaitEnd(c.thread());
            c.client().close();
        }
    }

    /** How many clients run now, retired ones not counted. */
    synchronized long runningClients() {
        return clients.stream().filter(c -> !c.retirement().retired).count();
    }

    /** How many operations the clients bound to {@code member} saw acknowledged; call after {@link #stop}. */
    synchronized long acknowledgedThrough(ServerProcess member) {
        if (!stopping) {
            throw new IllegalStateException("the clients still run");
        }
        return clients.stream().filter(c -> c.member() == member)
                .flatMap(c -> c.client().history().stream()).filter(op -> !op.isUnknown()).count();
    }

    synchronized List<Operation> stop() throws InterruptedException {
        stopping = true;
        for (BoundClient c : clients) {
            awaitEnd(c.thread());
        }
        // A client that died early would leave a short history that proves little.
        assertThat(clientFailures).as("clients that failed outside a request").isEmpty();
        return clients.stream().flatMap(c -> c.client().history().stream()).collect(Collectors.toList());
    }

    private void startClient(ServerProcess member) {
        int id = clients.size();
        if (id >= FINAL_READER_ID_BASE) {
            throw new IllegalStateException("client ids " + FINAL_READER_ID_BASE + " and up are the final readers'");
        }
        RecordingKvClient client = new RecordingKvClient(id, member.clientUrl(), REQUEST_DEADLINE, keys(),
                Objects.hash(label, id));
        Retirement retirement = new Retirement();
        Thread thread = new Thread(() -> {
            try {
                client.runUntil(() -> stopping || retirement.retired);
            } catch (RuntimeException | Error e) {
                clientFailures.add(e);
            }
        }, "chaos-client-" + id + "-" + member.name());
        thread.setDaemon(true);
        clients.add(new BoundClient(client, member, thread, retirement));
        thread.start();
    }

    private static void awaitEnd(Thread thread) throws InterruptedException {
        // A request in flight ends within its deadline.
        thread.join(2 * REQUEST_DEADLINE.toMillis() + 1_000);
        assertThat(thread.isAlive()).as(thread.getName() + " stopped").isFalse();
    }

    @Override
    public synchronized void close() {
        stopping = true;
        clients.forEach(c -> c.client().close());
    }
}
