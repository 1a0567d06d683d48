package io.strata.server.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The member's configuration, parsed and checked once at start-up from etcd's flags and
 * {@code ETCD_*} variables by {@link ConfigParser}. Components take the fields they need from
 * here; nothing reads flags or the environment anywhere else.
 *
 * <p>URL lists are sorted and free of duplicates, as etcd keeps them.
 *
 * @param name                        this member's name ({@code --name})
 * @param dataDir                     the data directory; {@code <name>.etcd} when not given
 * @param walDir                      a separate WAL directory, if given
 * @param listenClientUrls            where to accept clients
 * @param advertiseClientUrls         client URLs told to clients
 * @param listenPeerUrls              where to accept other members
 * @param initialAdvertisePeerUrls    peer URLs told to other members
 * @param initialCluster              bootstrap members by name, sorted by name; empty when
 *                                    discovery replaces it
 * @param initialClusterState         whether to bootstrap a new cluster or join one
 * @param initialClusterToken         the bootstrap token
 * @param snapshotCount               applied entries between two snapshots
 * @param maxRequestBytes             largest client request accepted
 * @param maxTxnOps                   most operations in one transaction
 * @param quotaBackendBytes           the flag as given: 0 means {@link #DEFAULT_QUOTA_BACKEND_BYTES},
 *                                    a negative value disables the quota; see
 *                                    {@link #effectiveQuotaBackendBytes()}
 * @param heartbeatInterval           leader heartbeat period
 * @param electionTimeout             follower election timeout; at least five heartbeats
 * @param logLevel                    lowest level logged
 * @param logOutputs                  {@code default}, {@code stderr}, {@code stdout} or file paths
 * @param autoCompaction              automatic compaction policy
 * @param watchProgressNotifyInterval period of watch progress notifications; at least 100 ms
 * @param enablePprof                 whether to serve profiling endpoints
 */
public record ServerConfig(
        String name,
        Path dataDir,
        Optional<Path> walDir,
        List<URI> listenClientUrls,
        List<URI> advertiseClientUrls,
        List<URI> listenPeerUrls,
        List<URI> initialAdvertisePeerUrls,
        Map<String, List<URI>> initialCluster,
        ClusterState initialClusterState,
        String initialClusterToken,
        long snapshotCount,
        long maxRequestBytes,
        long maxTxnOps,
        long quotaBackendBytes,
        Duration heartbeatInterval,
        Duration electionTimeout,
        LogLevel logLevel,
        List<String> logOutputs,
        AutoCompaction autoCompaction,
        Duration watchProgressNotifyInterval,
        boolean enablePprof) {

    /** The backend quota when {@code --quota-backend-bytes} is 0, as in etcd. */
    public static final long DEFAULT_QUOTA_BACKEND_BYTES = 2L * 1024 * 1024 * 1024;

    /** {@code --initial-cluster-state}. */
    public enum ClusterState { NEW, EXISTING }

    /** {@code --log-level}; etcd's levels, mapped onto the logging framework's by {@link Logging}. */
    public enum LogLevel { DEBUG, INFO, WARN, ERROR, DPANIC, PANIC, FATAL }

    /**
     * {@code --auto-compaction-mode} and {@code --auto-compaction-retention}.
     *
     * @param mode           how retention is measured
     * @param period         in {@link Mode#PERIODIC} mode, how much history to keep; zero disables
     * @param retainRevisions in {@link Mode#REVISION} mode, how many revisions to keep; zero disables
     */
    public record AutoCompaction(Mode mode, Duration period, long retainRevisions) {

        /** How the retention is measured. */
        public enum Mode { PERIODIC, REVISION }

        public boolean enabled() {
            return mode == Mode.PERIODIC ? !period.isZero() : retainRevisions != 0;
        }
    }

    public ServerConfig {
        walDir = walDir == null ? Optional.empty() : walDir;
        listenClientUrls = List.copyOf(listenClientUrls);
        advertiseClientUrls = List.copyOf(advertiseClientUrls);
        listenPeerUrls = List.copyOf(listenPeerUrls);
        initialAdvertisePeerUrls = List.copyOf(initialAdvertisePeerUrls);
        initialCluster = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(initialCluster));
        logOutputs = List.copyOf(logOutputs);
        if (heartbeatInterval.isZero() || heartbeatInterval.isNegative()) {
            throw new IllegalArgumentException("heartbeat interval must be positive: " + heartbeatInterval);
        }
        if (electionTimeout.compareTo(heartbeatInterval.multipliedBy(5)) < 0) {
            throw new IllegalArgumentException("election timeout " + electionTimeout
                    + " is shorter than five heartbeats of " + heartbeatInterval);
        }
    }

    /** The quota in bytes, or {@link Long#MAX_VALUE} when disabled by a negative flag value. */
    public long effectiveQuotaBackendBytes() {
        if (quotaBackendBytes < 0) {
            return Long.MAX_VALUE;
        }
        return quotaBackendBytes == 0 ? DEFAULT_QUOTA_BACKEND_BYTES : quotaBackendBytes;
    }

    /** Heartbeats per election timeout, the unit raft counts time in. */
    public int electionTicks() {
        return (int) (electionTimeout.toMillis() / heartbeatInterval.toMillis());
    }
}
