package io.strata.conformance.linearizability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * Produces histories that are linearizable by construction: clients overlap in simulated time,
 * but every operation takes effect at one instant inside its interval on a plain sequential
 * store with etcd's revision rules. Some writes lose their answer; those took effect or not at
 * random, as a request lost in a crash would.
 */
final class SequentialStoreSimulation {
    private record Pending(long atNanos, int client, int sequence) {}

    private final Random random;
    private final int clients;
    private final int keys;
    private final double unknownProbability;
    private final Map<String, String> values = new HashMap<>();
    private final Map<String, Long> modRevisions = new HashMap<>();
    private final Map<String, Long> lastSeenModRevision = new HashMap<>();
    private long revision = 1;
    private int valueCounter;

    SequentialStoreSimulation(Random random, int clients, int keys, double unknownProbability) {
        this.random = random;
        this.clients = clients;
        this.keys = keys;
        this.unknownProbability = unknownProbability;
    }

    List<Operation> run(int operations) {
        List<Operation> history = new ArrayList<>();
        PriorityQueue<Pending> invocations = new PriorityQueue<>(
                (a, b) -> a.atNanos() != b.atNanos() ? Long.compare(a.atNanos(), b.atNanos())
                        : Integer.compare(a.sequence(), b.sequence()));
        int sequence = 0;
        for (int client = 0; client < clients; client++) {
            invocations.add(new Pending(random.nextInt(10), client, sequence++));
        }
        // Each step takes the earliest pending invocation; its effect lands before any later
        // invocation, which keeps the effects in time order without a second queue.
        while (history.size() < operations) {
            Pending next = invocations.poll();
            long invoke = next.atNanos();
            long effect = invoke + random.nextInt(20);
            long ret = effect + random.nextInt(20);
            KvInput input = nextInput(next.client());
            boolean lost = !(input instanceof KvInput.Get) && random.nextDouble() < unknownProbability;
            if (lost && random.nextBoolean()) {
                history.add(Operation.unknown(next.client(), invoke, input));
            } else {
                KvOutput output = apply(next.client(), input);
                history.add(lost ? Operation.unknown(next.client(), invoke, input)
                        : Operation.completed(next.client(), invoke, ret, input, output));
            }
            invocations.add(new Pending(ret + random.nextInt(5), next.client(), sequence++));
        }
        return history;
    }

    private KvInput nextInput(int client) {
        String key = "k" + random.nextInt(keys);
        int kind = random.nextInt(10);
        if (kind < 4) {
            return new KvInput.Get(key);
        }
        if (kind < 7) {
            return new KvInput.Put(key, nextValue(client));
        }
        if (kind < 8) {
            return new KvInput.Delete(key);
        }
        long expected = random.nextInt(4) == 0 ? random.nextInt((int) revision + 1)
                : lastSeenModRevision.getOrDefault(client + "/" + key, 0L);
        return new KvInput.CompareAndSet(key, expected, nextValue(client));
    }

    private String nextValue(int client) {
        return "c" + client + "-" + valueCounter++;
    }

    /** The sequential store: the one place effects happen. */
    private KvOutput apply(int client, KvInput input) {
        String key = input.key();
        long modRevision = modRevisions.getOrDefault(key, 0L);
        KvOutput output;
        if (input instanceof KvInput.Put put) {
            write(key, put.value());
            output = new KvOutput.PutOk(revision);
        } else if (input instanceof KvInput.Get) {
            output = new KvOutput.GetOk(values.get(key), modRevision, revision);
        } else if (input instanceof KvInput.Delete) {
            boolean present = values.containsKey(key);
            if (present) {
                values.remove(key);
                modRevisions.remove(key);
                revision++;
            }
            output = new KvOutput.DeleteOk(present ? 1 : 0, revision);
        } else {
            KvInput.CompareAndSet cas = (KvInput.CompareAndSet) input;
            if (modRevision == cas.expectedModRevision()) {
                write(key, cas.value());
                output = new KvOutput.CasOk(true, null, 0, revision);
            } else {
                output = new KvOutput.CasOk(false, values.get(key), modRevision, revision);
            }
        }
        lastSeenModRevision.put(client + "/" + key, modRevisions.getOrDefault(key, 0L));
        return output;
    }

    private void write(String key, String value) {
        revision++;
        values.put(key, value);
        modRevisions.put(key, revision);
    }
}
