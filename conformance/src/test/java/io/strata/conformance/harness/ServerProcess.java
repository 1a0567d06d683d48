package io.strata.conformance.harness;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * One cluster member running as a real operating-system process, started with etcd's flags so
 * that the same command line starts Strata or reference etcd. Its standard output and error go
 * to one log file (both servers log JSON lines to stderr), which also tells when it is ready.
 */
public final class ServerProcess implements AutoCloseable {
    /** The log line both servers print once they serve clients. */
    public static final String READY_LINE = "ready to serve client requests";
    static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);
    private static final long READY_POLL_MILLIS = 50;

    /** Every process still running, so a JVM that dies mid-test does not leave servers behind. */
    private static final Set<ProcessHandle> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (ProcessHandle handle : LIVE) {
                handle.descendants().forEach(ProcessHandle::destroyForcibly);
                handle.destroyForcibly();
            }
        }, "conformance-server-reaper"));
    }

    private final ServerKind kind;
    private final String name;
    private final Path dataDir;
    private final Path logFile;
    private final int clientPort;
    private final int peerPort;
    /** The peer port the others are told to use; a proxy's port when the test cuts peer links. */
    private final int advertisedPeerPort;
    private final String initialCluster;
    private final String clusterToken;
    /** Flags after the common ones, for tests that tune the server (both kinds take them). */
    private final List<String> extraFlags;
    /** "new" for the founding members; "existing" for a member that joins a running cluster. */
    private final String initialClusterState;
    private Process process;
    private long logOffsetAtLaunch;

    ServerProcess(ServerKind kind, String name, Path dataDir, Path logFile, int clientPort, int peerPort,
            String initialCluster, String clusterToken) {
        this(kind, name, dataDir, logFile, clientPort, peerPort, initialCluster, clusterToken, List.of());
    }

    ServerProcess(ServerKind kind, String name, Path dataDir, Path logFile, int clientPort, int peerPort,
            String initialCluster, String clusterToken, List<String> extraFlags) {
        this(kind, name, dataDir, logFile, clientPort, peerPort, peerPort, initialCluster, clusterToken, extraFlags);
    }

    ServerProcess(ServerKind kind, String name, Path dataDir, Path logFile, int clientPort, int peerPort,
            int advertisedPeerPort, String initialCluster, String clusterToken, List<String> extraFlags) {
        this(kind, name, dataDir, logFile, clientPort, peerPort, advertisedPeerPort, initialCluster, clusterToken,
                extraFlags, "new");
    }

    ServerProcess(ServerKind kind, String name, Path dataDir, Path logFile, int clientPort, int peerPort,
            int advertisedPeerPort, String initialCluster, String clusterToken, List<String> extraFlags,
            String initialClusterState) {
        this.initialClusterState = initialClusterState;
        this.kind = kind;
        this.name = name;
        this.dataDir = dataDir;
        this.logFile = logFile;
        this.clientPort = clientPort;
        this.peerPort = peerPort;
        this.advertisedPeerPort = advertisedPeerPort;
        this.initialCluster = initialCluster;
        this.clusterToken = clusterToken;
        this.extraFlags = List.copyOf(extraFlags);
    }

    public ServerKind kind() {
        return kind;
    }

    public String name() {
        return name;
    }

    public String clientUrl() {
        return "http://127.0.0.1:" + clientPort;
    }

    public String peerUrl() {
        return "http://127.0.0.1:" + peerPort;
    }

    /** The peer URL in the cluster's membership: {@link #peerUrl} unless peers go through a proxy. */
    public String advertisedPeerUrl() {
        return "http://127.0.0.1:" + advertisedPeerPort;
    }

    String clusterToken() {
        return clusterToken;
    }

    List<String> extraFlags() {
        return extraFlags;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return logFile;
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public long pid() {
        if (process == null) {
            throw new IllegalStateException(name + " was never started");
        }
        return process.pid();
    }

    /** The command line, the same flags for both kinds. */
    List<String> command() {
        List<String> command = new ArrayList<>();
        command.add(Tools.serverBinary(kind).toString());
        command.add("--name=" + name);
        command.add("--data-dir=" + dataDir);
        command.add("--listen-client-urls=" + clientUrl());
        command.add("--advertise-client-urls=" + clientUrl());
        command.add("--listen-peer-urls=" + peerUrl());
        command.add("--initial-advertise-peer-urls=" + advertisedPeerUrl());
        command.add("--initial-cluster=" + initialCluster);
        command.add("--initial-cluster-state=" + initialClusterState);
        command.add("--initial-cluster-token=" + clusterToken);
        command.addAll(extraFlags);
        return command;
    }

    /** Starts the process without waiting: members of a new cluster only get ready together. */
    void launch() {
        if (isRunning()) {
            throw new IllegalStateException(name + " is already running");
        }
        try {
            Files.createDirectories(logFile.getParent());
            Files.writeString(logFile, "=== launch " + String.join(" ", command()) + System.lineSeparator(),
                    StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            logOffsetAtLaunch = Files.size(logFile);
            ProcessBuilder builder = new ProcessBuilder(command())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
            // The environment must not configure the server behind the flags' back.
            builder.environment().keySet().removeIf(key -> key.startsWith("ETCD_") || key.startsWith("ETCDCTL"));
            process = builder.start();
            LIVE.add(process.toHandle());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + " (" + kind + ")", e);
        }
    }

    /** Waits for the ready line printed since the last launch, failing with the log's tail. */
    void awaitReady() {
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (true) {
            String output = logSinceLaunch();
            if (output.contains(READY_LINE)) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " (" + kind + ") exited with code " + process.exitValue()
                        + " before printing '" + READY_LINE + "'; log " + logFile + ":\n" + tail(output));
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(name + " (" + kind + ") did not print '" + READY_LINE + "' within "
                        + READY_TIMEOUT.toSeconds() + " s; log " + logFile + ":\n" + tail(output));
            }
            try {
                Thread.sleep(READY_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for " + name, e);
            }
        }
    }

    /** Starts the member and waits until it serves clients. */
    public void start() {
        launch();
        awaitReady();
    }

    /** Stops the member with SIGKILL, leaving its data directory as a crash would. */
    public void kill9() {
        if (!isRunning()) {
            return;
        }
        List<ProcessHandle> tree = processTree();
        tree.forEach(ProcessHandle::destroyForcibly);
        if (!awaitExit(tree, STOP_TIMEOUT)) {
            throw new IllegalStateException(name + " survived SIGKILL for " + STOP_TIMEOUT.toSeconds() + " s");
        }
    }

    /** Stops the member with SIGTERM and waits for it to exit. */
    public void stop() {
        if (!isRunning()) {
            return;
        }
        List<ProcessHandle> tree = processTree();
        tree.forEach(ProcessHandle::destroy);
        if (!awaitExit(tree, STOP_TIMEOUT)) {
            kill9();
            throw new IllegalStateException(name + " did not exit within " + STOP_TIMEOUT.toSeconds()
                    + " s of SIGTERM and was killed; log " + logFile);
        }
    }

    /** Stops the member if it runs, then starts it again on the same data directory. */
    public void restart() {
        stop();
        start();
    }

    /** Kills the member if it still runs and removes its data directory; the log stays. */
    @Override
    public void close() {
        kill9();
        deleteRecursively(dataDir);
    }

    /** The whole log of this member, across restarts. */
    public String log() {
        try {
            return Files.exists(logFile) ? Files.readString(logFile, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The launched process and everything it started: a launcher script may run the server as a
     * child, and children are no longer found through their parent once it has exited.
     */
    private List<ProcessHandle> processTree() {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        return tree;
    }

    private static boolean awaitExit(List<ProcessHandle> tree, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (ProcessHandle handle : tree) {
            try {
                long leftNanos = Math.max(0, deadline - System.nanoTime());
                handle.onExit().get(leftNanos, TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                return false;
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            LIVE.remove(handle);
        }
        return true;
    }

    private String logSinceLaunch() {
        try (RandomAccessFile file = new RandomAccessFile(logFile.toFile(), "r")) {
            long length = file.length();
            if (length <= logOffsetAtLaunch) {
                return "";
            }
            byte[] bytes = new byte[(int) (length - logOffsetAtLaunch)];
            file.seek(logOffsetAtLaunch);
            file.readFully(bytes);
            return new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tail(String output) {
        int maxChars = 6000;
        return output.length() <= maxChars ? output : "..." + output.substring(output.length() - maxChars);
    }

    private static java.io.File nullDevice() {
        return new java.io.File("/dev/null");
    }

    static void deleteRecursively(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return name + "(" + kind + ", " + clientUrl() + ")";
    }
}
