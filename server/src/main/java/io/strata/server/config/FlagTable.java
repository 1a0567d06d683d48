package io.strata.server.config;

import io.strata.server.config.FlagSpec.Support;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every command-line flag of etcd 3.5, in one place: name, type, default, help group and text,
 * and whether Strata implements it. The parser, the environment overlay, the help text and the
 * not-implemented warnings are all driven from this table, so a flag is added or switched on here
 * and nowhere else. Help groups and their order follow etcd's {@code --help}.
 */
final class FlagTable {

    static final String MEMBER = "Member";
    static final String CLUSTERING = "Clustering";
    static final String SECURITY = "Security";
    static final String AUTH = "Auth";
    static final String MONITORING = "Profiling and Monitoring";
    static final String LOGGING = "Logging";
    static final String TRACING = "Experimental distributed tracing";
    static final String PROXY = "v2 Proxy (deprecated in etcd 3.5, not served by Strata)";
    static final String EXPERIMENTAL = "Experimental feature";
    static final String UNSAFE = "Unsafe feature";
    static final String NO_GROUP = "";

    private static final Map<String, FlagSpec> FLAGS = build();

    private FlagTable() {
    }

    static FlagSpec lookup(String name) {
        return FLAGS.get(name);
    }

    /** All flags in help order. */
    static List<FlagSpec> all() {
        return Collections.unmodifiableList(new ArrayList<>(FLAGS.values()));
    }

    private static Map<String, FlagSpec> build() {
        Table t = new Table();

        t.group(MEMBER);
        t.impl("name", FlagType.STRING, "default", "Human-readable name of this member; also names the default data directory.");
        t.implShown("data-dir", FlagType.STRING, "", "${name}.etcd", "Directory that holds this member's data.");
        t.impl("wal-dir", FlagType.STRING, "", "Separate directory for the write-ahead log (default: inside the data directory).");
        t.impl("snapshot-count", FlagType.UINT, "100000", "Committed entries between two snapshots of the state machine to disk.");
        t.impl("heartbeat-interval", FlagType.UINT, "100", "Milliseconds between two leader heartbeats.");
        t.impl("election-timeout", FlagType.UINT, "1000", "Milliseconds a follower waits for the leader before it starts an election (at least 5 heartbeats).");
        t.todo("initial-election-tick-advance", FlagType.BOOL, "true", "Skip ahead the election ticks at start so that a new member elects a leader sooner.");
        t.impl("listen-peer-urls", FlagType.URLS, "http://localhost:2380", "URLs to listen on for traffic from the other members.");
        t.impl("listen-client-urls", FlagType.URLS, "http://localhost:2379", "URLs to listen on for clients: gRPC, the JSON gateway and the HTTP endpoints.");
        t.todo("listen-client-http-urls", FlagType.URLS, "", "URLs to listen on for HTTP-only client traffic; when set, the client URLs serve gRPC only.");
        t.todo("max-snapshots", FlagType.UINT, "5", "Snapshot files to keep (0 keeps all).");
        t.todo("max-wals", FlagType.UINT, "5", "Write-ahead log files to keep (0 keeps all).");
        t.impl("quota-backend-bytes", FlagType.INT, "0", "Size in bytes the stored data may reach before the NOSPACE alarm makes the cluster read-only (0 means 2 GiB).");
        t.todo("backend-bbolt-freelist-type", FlagType.STRING, "map", "Free-list type of etcd's bbolt backend (array or map); Strata has no bbolt backend.");
        t.todoShown("backend-batch-interval", FlagType.DURATION, "0s", "", "Longest time before a backend batch is committed.");
        t.todo("backend-batch-limit", FlagType.INT, "0", "Most operations in one backend batch.");
        t.impl("max-txn-ops", FlagType.UINT, "128", "Most operations allowed in one transaction.");
        t.impl("max-request-bytes", FlagType.UINT, "1572864", "Largest client request, in bytes, the server accepts.");
        t.todo("max-concurrent-streams", FlagType.UINT32, "4294967295", "Most concurrent gRPC streams one client connection may open.");
        t.todo("enable-grpc-gateway", FlagType.BOOL, "true", "Serve the JSON gateway (/v3/...) on the client URLs.");
        t.todo("grpc-keepalive-min-time", FlagType.DURATION, "5s", "Shortest interval a client may ping the server at.");
        t.todo("grpc-keepalive-interval", FlagType.DURATION, "2h", "Interval of server-to-client pings that check a connection is alive (0 disables).");
        t.todo("grpc-keepalive-timeout", FlagType.DURATION, "20s", "How long to wait for a ping answer before closing the connection (0 disables).");
        t.todo("socket-reuse-port", FlagType.BOOL, "false", "Set SO_REUSEPORT on the listeners.");
        t.todo("socket-reuse-address", FlagType.BOOL, "false", "Set SO_REUSEADDR on the listeners.");
        t.todo("raft-read-timeout", FlagType.DURATION, "5s", "Read timeout of each connection between members.");
        t.todo("raft-write-timeout", FlagType.DURATION, "5s", "Write timeout of each connection between members.");

        t.group(CLUSTERING);
        t.impl("initial-advertise-peer-urls", FlagType.URLS, "http://localhost:2380", "Peer URLs of this member that the other members are told to use.");
        t.implShown("initial-cluster", FlagType.STRING, "default=http://localhost:2380", "default=http://localhost:2380",
                "Members of a new cluster as name=peer-URL pairs, comma separated (default: ${name}=<initial-advertise-peer-urls>).");
        t.implChoice("initial-cluster-state", "new", List.of("new", "existing"),
                "'new' to bootstrap a new cluster, 'existing' to join one; ignored once the member has data.");
        t.impl("initial-cluster-token", FlagType.STRING, "etcd-cluster", "Token that keeps members of different clusters from joining each other at bootstrap.");
        t.impl("advertise-client-urls", FlagType.URLS, "http://localhost:2379", "Client URLs of this member that clients are told to use.");
        t.todo("discovery", FlagType.STRING, "", "Discovery service URL used to bootstrap the cluster.");
        t.todoChoice("discovery-fallback", "proxy", List.of("proxy", "exit"), "What to do when discovery fails: 'exit' or 'proxy'.");
        t.todo("discovery-proxy", FlagType.STRING, "", "HTTP proxy for talking to the discovery service.");
        t.todo("discovery-srv", FlagType.STRING, "", "DNS domain whose SRV records list the initial members.");
        t.todo("discovery-srv-name", FlagType.STRING, "", "Suffix of the SRV names looked up for discovery.");
        t.todo("strict-reconfig-check", FlagType.BOOL, "true", "Refuse membership changes that would lose quorum.");
        t.todo("pre-vote", FlagType.BOOL, "true", "Run a pre-vote round before an election, so a partitioned member cannot disrupt the leader.");
        t.impl("auto-compaction-retention", FlagType.STRING, "0", "History to keep when compacting automatically: a duration (a bare number means hours) in periodic mode, a revision count in revision mode; 0 disables.");
        t.impl("auto-compaction-mode", FlagType.STRING, "periodic", "How auto-compaction-retention is read: 'periodic' or 'revision'.");
        t.todo("enable-v2", FlagType.BOOL, "false", "Serve the v2 API (deprecated in etcd 3.5; Strata serves v3 only).");
        t.todo("experimental-enable-v2v3", FlagType.STRING, "", "Prefix under which v2 requests are served from the v3 store (deprecated in etcd 3.5).");
        t.todoChoices("v2-deprecation", "", "not-yet", List.of("not-yet", "write-only", "write-only-drop-data", "gone"),
                "Stage of the v2 store deprecation: 'not-yet', 'write-only', 'write-only-drop-data' or 'gone'.");

        t.group(SECURITY);
        t.todo("cert-file", FlagType.STRING, "", "TLS certificate file for client connections.");
        t.todo("key-file", FlagType.STRING, "", "TLS key file for client connections.");
        t.todo("client-cert-auth", FlagType.BOOL, "false", "Require clients to present a certificate signed by the trusted CA.");
        t.todo("client-cert-file", FlagType.STRING, "", "Certificate this member presents as a client, when client authentication is required (default: cert-file).");
        t.todo("client-key-file", FlagType.STRING, "", "Key this member uses as a client, when client authentication is required (default: key-file).");
        t.todo("client-crl-file", FlagType.STRING, "", "Certificate revocation list for client certificates.");
        t.todo("client-cert-allowed-hostname", FlagType.STRINGS, "", "Comma-separated SAN host names a client certificate must carry.");
        t.todo("trusted-ca-file", FlagType.STRING, "", "CA bundle that client certificates are checked against.");
        t.todo("auto-tls", FlagType.BOOL, "false", "Serve clients over TLS with a generated self-signed certificate.");
        t.todo("peer-cert-file", FlagType.STRING, "", "TLS certificate file for connections between members.");
        t.todo("peer-key-file", FlagType.STRING, "", "TLS key file for connections between members.");
        t.todo("peer-client-cert-auth", FlagType.BOOL, "false", "Require members to present a certificate signed by the peer CA.");
        t.todo("peer-trusted-ca-file", FlagType.STRING, "", "CA bundle that member certificates are checked against.");
        t.todo("peer-cert-allowed-cn", FlagType.STRINGS, "", "Comma-separated common names a member certificate may carry.");
        t.todo("peer-cert-allowed-hostname", FlagType.STRINGS, "", "Comma-separated SAN host names a member certificate may carry.");
        t.todo("peer-auto-tls", FlagType.BOOL, "false", "Talk to members over TLS with a generated self-signed certificate when no peer key and certificate are given.");
        t.todo("peer-client-cert-file", FlagType.STRING, "", "Certificate this member presents to other members as a client (default: peer-cert-file).");
        t.todo("peer-client-key-file", FlagType.STRING, "", "Key this member uses towards other members as a client (default: peer-key-file).");
        t.todo("self-signed-cert-validity", FlagType.UINT, "1", "Years the generated client and peer certificates are valid.");
        t.todo("peer-crl-file", FlagType.STRING, "", "Certificate revocation list for member certificates.");
        t.todo("cipher-suites", FlagType.STRINGS, "", "Comma-separated TLS cipher suites for client and peer connections (empty: the JVM's defaults).");
        t.todoUrlsOrStar("cors", "Comma-separated origins allowed for cross-origin requests ('*' or empty allows all).");
        t.todo("host-whitelist", FlagType.UNIQUE_STRINGS, "*", "Comma-separated host names accepted in HTTP requests when not serving TLS ('*' allows all).");
        t.todo("tls-min-version", FlagType.STRING, "TLS1.2", "Lowest TLS version accepted: TLS1.2 or TLS1.3.");
        t.todo("tls-max-version", FlagType.STRING, "", "Highest TLS version accepted: TLS1.2 or TLS1.3 (empty: the JVM's highest).");

        t.group(AUTH);
        t.todo("auth-token", FlagType.STRING, "simple", "Kind of auth token and its options: 'simple' or 'jwt,...'.");
        t.todo("bcrypt-cost", FlagType.UINT, "10", "bcrypt cost for hashing user passwords (4 to 31).");
        t.todo("auth-token-ttl", FlagType.UINT, "300", "Seconds a simple auth token lives.");

        t.group(MONITORING);
        t.impl("enable-pprof", FlagType.BOOL, "false", "Serve profiling data under <client URL>/debug/pprof/.");
        t.todo("metrics", FlagType.STRING, "basic", "Detail of the exported metrics: 'basic', or 'extensive' to add gRPC latency histograms.");
        t.todo("listen-metrics-urls", FlagType.URLS, "", "Extra URLs serving only /metrics and /health.");

        t.group(LOGGING);
        t.impl("logger", FlagType.STRING, "zap", "Logger implementation; only 'zap' (structured JSON lines) is supported.");
        t.impl("log-outputs", FlagType.UNIQUE_STRINGS, "default", "Comma-separated log destinations: 'default' (stderr), 'stderr', 'stdout' or file paths.");
        t.impl("log-level", FlagType.STRING, "info", "Lowest level logged: debug, info, warn, error, panic or fatal.");
        t.todo("enable-log-rotation", FlagType.BOOL, "false", "Rotate the log file named by a single file in log-outputs.");
        t.todo("log-rotation-config-json", FlagType.STRING,
                "{\"maxsize\": 100, \"maxage\": 0, \"maxbackups\": 0, \"localtime\": false, \"compress\": false}",
                "Log rotation settings as JSON: maxsize (MB), maxage (days, 0 = no limit), maxbackups (0 = no limit), localtime, compress.");

        t.group(TRACING);
        t.todo("experimental-enable-distributed-tracing", FlagType.BOOL, "false", "Export OpenTelemetry traces.");
        t.todo("experimental-distributed-tracing-address", FlagType.STRING, "localhost:4317", "Address of the trace collector.");
        t.todo("experimental-distributed-tracing-service-name", FlagType.STRING, "etcd", "Service name in traces; the same on every member.");
        t.todo("experimental-distributed-tracing-instance-id", FlagType.STRING, "", "Instance id in traces; different on every member.");
        t.todo("experimental-distributed-tracing-sampling-rate", FlagType.INT, "0", "Spans sampled per million (0 disables sampling).");

        t.group(PROXY);
        t.todoChoice("proxy", "off", List.of("off", "readonly", "on"), "v2 proxy mode: 'off', 'readonly' or 'on'.");
        t.todo("proxy-failure-wait", FlagType.UINT, "5000", "Milliseconds a failed endpoint stays out of rotation.");
        t.todo("proxy-refresh-interval", FlagType.UINT, "30000", "Milliseconds between refreshes of the endpoint list.");
        t.todo("proxy-dial-timeout", FlagType.UINT, "1000", "Milliseconds before a dial times out.");
        t.todo("proxy-write-timeout", FlagType.UINT, "5000", "Milliseconds before a write times out.");
        t.todo("proxy-read-timeout", FlagType.UINT, "0", "Milliseconds before a read times out (0: never).");

        t.group(EXPERIMENTAL);
        t.todo("experimental-initial-corrupt-check", FlagType.BOOL, "false", "Check the data for corruption before serving any traffic.");
        t.todo("experimental-corrupt-check-time", FlagType.DURATION, "0s", "Interval between corruption checks across the cluster (0 disables).");
        t.todo("experimental-compact-hash-check-enabled", FlagType.BOOL, "false", "Let the leader compare the followers' hashes after each compaction.");
        t.todo("experimental-compact-hash-check-time", FlagType.DURATION, "1m", "Interval between the leader's compaction hash checks.");
        // Strata's leader always checkpoints remaining TTLs through Raft and keeps them in its
        // snapshots (what etcd 3.6 does with both flags on), so both flags are accepted and
        // checked against each other as etcd does, and neither can turn checkpoints off.
        t.impl("experimental-enable-lease-checkpoint", FlagType.BOOL, "false", "Let the leader checkpoint the remaining TTL of leases, so a leader change does not renew them (always on in Strata).");
        t.impl("experimental-enable-lease-checkpoint-persist", FlagType.BOOL, "false", "Persist lease checkpoints; needs experimental-enable-lease-checkpoint (always on in Strata).");
        t.todo("experimental-compaction-batch-limit", FlagType.INT, "1000", "Most revisions removed in one compaction batch.");
        t.todo("experimental-compaction-sleep-interval", FlagType.DURATION, "10ms", "Pause between two compaction batches.");
        t.todo("experimental-peer-skip-client-san-verification", FlagType.BOOL, "false", "Do not check the SAN of member client certificates.");
        t.impl("experimental-watch-progress-notify-interval", FlagType.DURATION, "10m", "Interval of progress notifications to watchers (at least 100ms).");
        t.todo("experimental-downgrade-check-time", FlagType.DURATION, "5s", "Interval between two checks of the downgrade status.");
        t.todo("experimental-memory-mlock", FlagType.BOOL, "false", "Lock the store's pages in memory.");
        t.todo("experimental-warning-apply-duration", FlagType.DURATION, "100ms", "Log a warning when applying a request takes longer than this.");
        t.todo("experimental-txn-mode-write-with-shared-buffer", FlagType.BOOL, "true", "Let write transactions share the read buffer in their read-only checks.");
        t.todo("experimental-bootstrap-defrag-threshold-megabytes", FlagType.UINT, "0", "Defragment at start when that frees at least this many megabytes (0 disables).");
        t.todo("experimental-stop-grpc-service-on-defrag", FlagType.BOOL, "false", "Report NOT_SERVING on the gRPC health service while defragmenting.");
        t.todo("experimental-snapshot-catchup-entries", FlagType.UINT, "5000", "Entries kept after a snapshot for slow followers to catch up from.").markUnlisted();

        t.group(UNSAFE);
        t.todo("force-new-cluster", FlagType.BOOL, "false", "Start a new one-member cluster from this member's data.");
        t.todo("unsafe-no-fsync", FlagType.BOOL, "false", "Do not fsync: faster, and loses data on a crash.");

        t.group(NO_GROUP);
        t.todo("config-file", FlagType.STRING, "", "YAML configuration file; when given, etcd ignores the other flags and variables.").markUnlisted();
        t.impl("version", FlagType.BOOL, "false", "Print the version and exit.").markUnlisted();
        for (String legacy : List.of("cluster-active-size", "cluster-remove-delay", "cluster-sync-interval", "config",
                "force", "max-result-buffer", "max-retry-attempts", "peer-heartbeat-interval", "peer-election-timeout",
                "retry-interval", "snapshot", "v", "vv", "test.coverprofile", "test.outputdir")) {
            t.add(legacy, FlagType.IGNORED, "", null, "", Support.IGNORED, List.of()).markUnlisted();
        }
        return Collections.unmodifiableMap(t.flags);
    }

    /** Collects the table in help order and refuses duplicate names. */
    private static final class Table {
        final LinkedHashMap<String, FlagSpec> flags = new LinkedHashMap<>();
        private String group = NO_GROUP;
        private String last;

        void group(String name) {
            group = name;
        }

        Table impl(String name, FlagType type, String dflt, String help) {
            return add(name, type, dflt, null, help, Support.IMPLEMENTED, List.of());
        }

        Table implShown(String name, FlagType type, String dflt, String shown, String help) {
            return add(name, type, dflt, shown, help, Support.IMPLEMENTED, List.of());
        }

        Table implChoice(String name, String dflt, List<String> choices, String help) {
            return add(name, FlagType.CHOICE, dflt, null, help, Support.IMPLEMENTED, choices);
        }

        Table todo(String name, FlagType type, String dflt, String help) {
            return add(name, type, dflt, null, help, Support.NOT_IMPLEMENTED, List.of());
        }

        Table todoShown(String name, FlagType type, String dflt, String shown, String help) {
            return add(name, type, dflt, shown, help, Support.NOT_IMPLEMENTED, List.of());
        }

        Table todoChoice(String name, String dflt, List<String> choices, String help) {
            return add(name, FlagType.CHOICE, dflt, null, help, Support.NOT_IMPLEMENTED, choices);
        }

        Table todoChoices(String name, String dflt, String shown, List<String> choices, String help) {
            return add(name, FlagType.CHOICES, dflt, shown, help, Support.NOT_IMPLEMENTED, choices);
        }

        Table todoUrlsOrStar(String name, String help) {
            return add(name, FlagType.URLS, "*", null, help, Support.NOT_IMPLEMENTED, List.of("*"));
        }

        Table add(String name, FlagType type, String dflt, String shown, String help, Support support,
                List<String> choices) {
            FlagSpec spec = new FlagSpec(name, type, dflt, shown == null ? dflt : shown, group, help, support,
                    choices, group.isEmpty());
            if (flags.putIfAbsent(name, spec) != null) {
                throw new IllegalStateException("flag defined twice: " + name);
            }
            last = name;
            return this;
        }

        Table markUnlisted() {
            FlagSpec s = flags.get(last);
            flags.put(last, new FlagSpec(s.name(), s.type(), s.defaultValue(), s.shownDefault(), s.group(), s.help(),
                    s.support(), s.choices(), true));
            return this;
        }
    }
}
