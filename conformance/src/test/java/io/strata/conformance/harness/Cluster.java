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
    /** Members started later with {@link #newJoiningMember}; closed with the cluster. */
    private final List<ServerProcess> joined = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Null unless the members reach each other through proxies. */
    private final PeerNetwork peerNetwork;

    private Cluster(ServerKind kind, List<ServerProcess> members) {
        this(kind, members, null);
    }

    private Cluster(ServerKind kind, List<ServerProcess> members, PeerNetwork peerNetwork) {
        this.kind = kind;
        this.members = List.copyOf(members);
        this.peerNetwork = peerNetwork;
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

    /**
     * Starts a cluster whose members advertise the ports of TCP proxies, in front of the peer
     * ports they listen on, so that {@link #peerNetwork()} can partition them.
     */
    public static Cluster startWithPeerProxies(ServerKind kind, String label, int size) {
        if (size < 2) {
            throw new IllegalArgumentException("a partition needs at least two members, not " + size);
        }
        String runName = label + "-" + kind.name().toLowerCase(java.util.Locale.ROOT) + "-"
                + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet();
        Path runDir = Tools.workDir().resolve(runName);
        List<Integer> ports = FreePorts.take(3 * size);
        List<String> names = new ArrayList<>();
        List<Integer> peerPorts = new ArrayList<>();
        List<Integer> proxyPorts = new ArrayList<>();
        List<String> clusterEntries = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            names.add("member" + i);
            peerPorts.add(ports.get(3 * i + 1));
            proxyPorts.add(ports.get(3 * i + 2));
            clusterEntries.add(names.get(i) + "=http://127.0.0.1:" + proxyPorts.get(i));
        }
        String initialCluster = String.join(",", clusterEntries);
        PeerNetwork network = new PeerNetwork(names, proxyPorts, peerPorts);
        List<ServerProcess> members = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            members.add(new ServerProcess(kind, names.get(i), runDir.resolve(names.get(i) + ".data"),
                    runDir.resolve(names.get(i) + ".log"), ports.get(3 * i), peerPorts.get(i), proxyPorts.get(i),
                    initialCluster, "token-" + runName, List.of()));
        }
        network.attach(members);
        Cluster cluster = new Cluster(kind, members, network);
        try {
            members.forEach(ServerProcess::launch);
            members.forEach(ServerProcess::awaitReady);
        } catch (RuntimeException e) {
            cluster.close();
            throw e;
        }
        return cluster;
    }

    /** The proxies between the members, for clusters from {@link #startWithPeerProxies}. */
    public PeerNetwork peerNetwork() {
        if (peerNetwork == null) {
            throw new IllegalStateException("this cluster's members talk to each other directly");
        }
        return peerNetwork;
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

    /**
     * Kills every member with SIGKILL at once, as a power cut would, then starts them all again
     * on their data directories and waits until each serves clients. They start together
     * because a member of a cluster without a quorum only gets ready once enough others are back.
     */
    public void crashAndRestartAll() {
        crashAndRestart(members);
    }

    /**
     * Like {@link #crashAndRestartAll}, for the members a cluster has after membership changes:
     * founding members that were removed are left out, members that joined are included.
     */
    public void crashAndRestart(List<ServerProcess> survivors) {
        survivors.forEach(ServerProcess::kill9);
        survivors.forEach(ServerProcess::launch);
        survivors.forEach(ServerProcess::awaitReady);
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

    /**
     * A member process for this cluster started with {@code --initial-cluster-state=existing}
     * and {@code --initial-cluster} naming {@code clusterMembers} and itself; not launched yet
     * (call {@link ServerProcess#start()} after adding it with {@code member add}). It gets the
     * founding members' token and extra flags, and is closed with the cluster.
     */
    public ServerProcess newJoiningMember(String name, List<ServerProcess> clusterMembers) {
        java.util.Map<String, String> peerUrls = new java.util.LinkedHashMap<>();
        clusterMembers.forEach(m -> peerUrls.put(m.name(), m.advertisedPeerUrl()));
        return newJoiningMember(name, peerUrls);
    }

    /** Like {@link #newJoiningMember(String, List)}, naming the members' current peer URLs by name. */
    public ServerProcess newJoiningMember(String name, java.util.Map<String, String> clusterPeerUrls) {
        ServerProcess first = members.get(0);
        Path runDir = first.dataDir().getParent();
        List<Integer> ports = FreePorts.take(2);
        String peerUrl = "http://127.0.0.1:" + ports.get(1);
        String initialCluster = clusterPeerUrls.entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(",")) + "," + name + "=" + peerUrl;
        ServerProcess member = new ServerProcess(kind, name, runDir.resolve(name + ".data"), runDir.resolve(name + ".log"),
                ports.get(0), ports.get(1), ports.get(1), initialCluster, first.clusterToken(), first.extraFlags(),
                "existing");
        joined.add(member);
        return member;
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        List<ServerProcess> all = new ArrayList<>(members);
        all.addAll(joined);
        for (ServerProcess member : all) {
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
        if (peerNetwork != null) {
            peerNetwork.close();
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
