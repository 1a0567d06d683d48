package io.strata.conformance.harness;

import io.etcd.jetcd.Client;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * A new cluster of one or more members of one kind on free loopback ports. Each cluster gets
 * its own directory under {@code conformance/target/conformance-runs/}, holding the members'
 * data directories (removed on close) and logs (kept for diagnosis).
 */
public final class Cluster implements AutoCloseable {
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final ServerKind kind;
    private final List<ServerProcess> members;

    private Cluster(ServerKind kind, List<ServerProcess> members) {
        this.kind = kind;
        this.members = List.copyOf(members);
    }

    /** Starts a single-member cluster and waits until it serves clients. */
    public static Cluster startSingle(ServerKind kind, String label) {
        return start(kind, label, 1);
    }

    /** Starts a cluster of {@code size} members and waits until every member serves clients. */
    public static Cluster start(ServerKind kind, String label, int size) {
        return start(kind, label, size, List.of());
    }

    /**
     * Starts a single-member cluster whose server gets {@code extraFlags} after the common
     * flags, such as {@code --experimental-watch-progress-notify-interval=500ms}.
     */
    public static Cluster startSingleWithFlags(ServerKind kind, String label, List<String> extraFlags) {
        return start(kind, label, 1, extraFlags);
    }

    /** Starts a cluster of {@code size} members that all get {@code extraFlags}. */
    public static Cluster start(ServerKind kind, String label, int size, List<String> extraFlags) {
        if (size < 1) {
            throw new IllegalArgumentException("a cluster needs at least one member, not " + size);
        }
        String runName = label + "-" + kind.name().toLowerCase(java.util.Locale.ROOT) + "-"
                + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
        Path runDir = Tools.workDir().resolve(runName);
        List<Integer> ports = FreePorts.take(2 * size);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            names.add("member" + i);
        }
        String initialCluster = names.stream()
                .map(name -> name + "=http://127.0.0.1:" + ports.get(2 * names.indexOf(name) + 1))
                .collect(Collectors.joining(","));
        List<ServerProcess> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            members.add(new ServerProcess(kind, names.get(i), runDir.resolve(names.get(i) + ".data"),
                    runDir.resolve(names.get(i) + ".log"), ports.get(2 * i), ports.get(2 * i + 1),
                    initialCluster, "token-" + runName, extraFlags));
        }
        Cluster cluster = new Cluster(kind, members);
        try {
            members.forEach(ServerProcess::launch);
            members.forEach(ServerProcess::awaitReady);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    public ServerKind kind() {
        return kind;
    }

    public List<ServerProcess> members() {
        return members;
    }

    public ServerProcess member(int index) {
        return members.get(index);
    }

    /** The first member's client URL, the one to use for a single-member cluster. */
    public String clientUrl() {
        return members.get(0).clientUrl();
    }

    public List<String> clientUrls() {
        return members.stream().map(ServerProcess::clientUrl).collect(Collectors.toList());
    }

    /** A new jetcd client for every member; the caller closes it. */
    public Client newClient() {
        return JetcdClients.forEndpoints(clientUrls());
    }

    /** etcdctl 3.5 aimed at every member. */
    public Etcdctl etcdctl() {
        return new Etcdctl(clientUrls());
    }

    /** Raw gRPC stubs for the first member; the caller closes it. */
    public EtcdGrpc newGrpc() {
        return EtcdGrpc.connect(clientUrl());
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        for (ServerProcess member : members) {
            try {
                member.close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return kind + members.toString();
    }
}
