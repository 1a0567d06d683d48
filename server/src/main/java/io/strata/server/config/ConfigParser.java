package io.strata.server.config;

import io.strata.server.config.ParseOutcome.PrintAndExit;
import io.strata.server.config.ParseOutcome.Run;
import io.strata.server.config.ServerConfig.AutoCompaction;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns the command line and the environment into a {@link ServerConfig}, or into the text and
 * exit code etcd 3.5 would produce for the same input. The steps follow etcd's: flags (a syntax
 * error exits with 2), stray arguments, {@code --version}, {@code ETCD_*} variables, then the
 * consistency checks (a failure exits with 1 and is reported as JSON log lines).
 *
 * <p>Pure: it reads nothing but its arguments and prints nothing.
 */
public final class ConfigParser {

    static final Duration MIN_WATCH_PROGRESS_NOTIFY_INTERVAL = Duration.ofMillis(100);
    static final Duration DEFAULT_WATCH_PROGRESS_NOTIFY_INTERVAL = Duration.ofMinutes(10);
    static final String NOT_IMPLEMENTED = "flag is accepted but not implemented yet";
    private static final List<String> DEPRECATED_FLAGS = List.of("enable-v2", "experimental-enable-v2v3", "proxy",
            "proxy-failure-wait", "proxy-refresh-interval", "proxy-dial-timeout", "proxy-write-timeout",
            "proxy-read-timeout");

    private ConfigParser() {
    }

    public static ParseOutcome parse(String[] args, Map<String, String> env) {
        List<StartupNote> notes = new ArrayList<>();
        FlagValues values = FlagValues.defaults();
        List<String> rest;
        try {
            rest = CommandLine.parse(List.of(args), values);
        } catch (CommandLine.UsageException e) {
            return new PrintAndExit(e.getMessage() + "\n" + UsageText.usage(), 2, true);
        } catch (CommandLine.HelpRequested e) {
            return new PrintAndExit(UsageText.help(), 0, false);
        }
        if (!rest.isEmpty()) {
            return failedVerification(notes, "'" + rest.get(0) + "' is not a valid flag");
        }
        if (values.bool("version")) {
            return new PrintAndExit(UsageText.version(), 0, false);
        }
        try {
            EnvironmentFlags.apply(env, values, notes);
        } catch (EnvironmentFlags.ConflictException e) {
            notes.add(StartupNote.fatal(e.getMessage(), "environment-variable", e.variable));
            return exitWith(notes);
        } catch (EnvironmentFlags.InvalidValueException e) {
            return failedVerification(notes, e.getMessage());
        }

        // etcd drops the default advertised client URLs when only the listen URLs are given, so
        // that a member never advertises localhost by accident; the check below then fails.
        boolean mayBeProxy = !values.string("proxy").equals("off")
                || !values.string("discovery").isEmpty() && values.string("discovery-fallback").equals("proxy");
        List<URI> advertiseClientUrls = values.urls("advertise-client-urls");
        if (values.isSet("listen-client-urls") && !values.isSet("advertise-client-urls") && !mayBeProxy) {
            advertiseClientUrls = List.of();
        }
        String initialCluster = values.string("initial-cluster");
        boolean discovery = !values.string("discovery").isEmpty() || !values.string("discovery-srv").isEmpty()
                || !values.string("discovery-srv-name").isEmpty();
        if (discovery && !values.isSet("initial-cluster")) {
            initialCluster = "";
        }

        String logger = values.string("logger");
        if (logger.equals("capnslog")) {
            return failedVerification(notes, "--logger=capnslog is removed in v3.5");
        }
        if (!logger.equals("zap")) {
            return failedVerification(notes, "unknown logger option \"" + logger + "\"");
        }
        List<String> logOutputs = values.strings("log-outputs");
        if (logOutputs.size() > 1 && logOutputs.contains("default")) {
            return failedVerification(notes, "multi logoutput for \"default\" is not supported yet");
        }
        ServerConfig.LogLevel logLevel = logLevel(values.string("log-level"));
        if (logLevel == null) {
            // etcd crashes on this one before it has a logger, so it is not a JSON line.
            return new PrintAndExit("unrecognized level: \"" + values.string("log-level") + "\"\n", 2, true);
        }

        String error = ConfigChecks.firstError(values, advertiseClientUrls, initialCluster, mayBeProxy, notes);
        if (error != null) {
            if (error.equals(ConfigChecks.UNSET_ADVERTISE_CLIENT_URLS)) {
                notes.add(StartupNote.warn("failed to verify flags", "error", error));
                notes.add(StartupNote.warn("advertise client URLs are not set", "error", error));
                return exitWith(notes);
            }
            return failedVerification(notes, error);
        }

        for (String name : values.explicitlySet()) {
            if (DEPRECATED_FLAGS.contains(name)) {
                notes.add(StartupNote.warn("--" + name + " is deprecated in 3.5 and will be decommissioned in 3.6."));
            }
        }
        String name = values.string("name");
        if (!name.equals("default") && initialCluster.equals(FlagTable.lookup("initial-cluster").defaultValue())) {
            initialCluster = initialClusterFromName(name, values.urls("initial-advertise-peer-urls"));
        }
        String dataDir = values.string("data-dir");
        if (dataDir.isEmpty()) {
            dataDir = name + ".etcd";
            notes.add(StartupNote.warn("'data-dir' was empty; using default", "data-dir", dataDir));
        }
        Map<String, List<URI>> members;
        AutoCompaction autoCompaction;
        try {
            members = parseInitialCluster(initialCluster);
            autoCompaction = autoCompaction(values.string("auto-compaction-mode"), values.string("auto-compaction-retention"));
        } catch (FlagValueException e) {
            notes.add(StartupNote.warn("failed to start etcd", "error", e.getMessage()));
            notes.add(StartupNote.fatal("discovery failed", "error", e.getMessage()));
            return exitWith(notes);
        }
        Duration progressInterval = values.duration("experimental-watch-progress-notify-interval");
        if (progressInterval.isZero() || progressInterval.isNegative()) {
            progressInterval = DEFAULT_WATCH_PROGRESS_NOTIFY_INTERVAL;
        } else if (progressInterval.compareTo(MIN_WATCH_PROGRESS_NOTIFY_INTERVAL) < 0) {
            notes.add(StartupNote.warn("adjusting watch progress notify interval to minimum period",
                    "min-watch-progress-notify-interval", GoDuration.format(MIN_WATCH_PROGRESS_NOTIFY_INTERVAL)));
            progressInterval = MIN_WATCH_PROGRESS_NOTIFY_INTERVAL;
        }
        for (String flag : values.explicitlySet()) {
            FlagSpec spec = FlagTable.lookup(flag);
            if (spec.support() == FlagSpec.Support.NOT_IMPLEMENTED) {
                notes.add(StartupNote.warn(NOT_IMPLEMENTED, "flag", flag));
            } else if (spec.support() == FlagSpec.Support.IGNORED) {
                notes.add(StartupNote.warn("flag is no longer supported - ignoring", "flag-name", flag));
            }
        }

        String walDir = values.string("wal-dir");
        ServerConfig config = new ServerConfig(
                name,
                Path.of(dataDir),
                walDir.isEmpty() ? Optional.empty() : Optional.of(Path.of(walDir)),
                values.urls("listen-client-urls"),
                advertiseClientUrls,
                values.urls("listen-peer-urls"),
                values.urls("initial-advertise-peer-urls"),
                members,
                values.string("initial-cluster-state").equals("new")
                        ? ServerConfig.ClusterState.NEW : ServerConfig.ClusterState.EXISTING,
                values.string("initial-cluster-token"),
                values.number("snapshot-count"),
                values.number("max-request-bytes"),
                values.number("max-txn-ops"),
                values.number("quota-backend-bytes"),
                Duration.ofMillis(values.number("heartbeat-interval")),
                Duration.ofMillis(values.number("election-timeout")),
                logLevel,
                logOutputs,
                autoCompaction,
                progressInterval,
                values.bool("enable-pprof"));
        return new Run(config, notes);
    }

    private static PrintAndExit failedVerification(List<StartupNote> notes, String error) {
        notes.add(StartupNote.warn("failed to verify flags", "error", error));
        return exitWith(notes);
    }

    private static PrintAndExit exitWith(List<StartupNote> notes) {
        return new PrintAndExit(Logging.render(notes), 1, true);
    }

    /** etcd's level names, in either case; an empty name means info. */
    static ServerConfig.LogLevel logLevel(String text) {
        if (text.isEmpty()) {
            return ServerConfig.LogLevel.INFO;
        }
        if (!text.equals(text.toLowerCase(Locale.ROOT)) && !text.equals(text.toUpperCase(Locale.ROOT))) {
            return null;
        }
        try {
            return ServerConfig.LogLevel.valueOf(text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String initialClusterFromName(String name, List<URI> advertisePeerUrls) {
        List<String> pairs = new ArrayList<>();
        for (URI url : advertisePeerUrls) {
            pairs.add(name + "=" + url);
        }
        return String.join(",", pairs);
    }

    /** {@code name=url,name=url,...}; a name may appear more than once, one entry per URL. */
    static Map<String, List<URI>> parseInitialCluster(String text) throws FlagValueException {
        Map<String, List<String>> byName = new TreeMap<>();
        for (String entry : text.split(",", -1)) {
            if (entry.isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String name = eq < 0 ? entry : entry.substring(0, eq);
            String url = eq < 0 ? "" : entry.substring(eq + 1);
            byName.computeIfAbsent(name, k -> new ArrayList<>()).add(url);
        }
        Map<String, List<URI>> members = new TreeMap<>();
        for (Map.Entry<String, List<String>> e : byName.entrySet()) {
            try {
                members.put(e.getKey(), UrlLists.parse(String.join(",", e.getValue())));
            } catch (FlagValueException ex) {
                throw new FlagValueException("error setting up initial cluster: " + ex.getMessage());
            }
        }
        return members;
    }

    /**
     * etcd's reading of the retention: a non-negative integer is hours (periodic) or revisions
     * (revision mode); anything else must be a duration, which in revision mode etcd takes as a
     * count of nanoseconds' worth of revisions. The last is odd, but it is what etcd does.
     */
    static AutoCompaction autoCompaction(String mode, String retention) throws FlagValueException {
        AutoCompaction.Mode m = mode.equals("revision") ? AutoCompaction.Mode.REVISION : AutoCompaction.Mode.PERIODIC;
        Long whole = null;
        if (retention.matches("[+-]?[0-9]+")) {
            try {
                long parsed = Long.parseLong(retention);
                whole = parsed >= 0 ? parsed : null;
            } catch (NumberFormatException e) {
                whole = null;
            }
        }
        Duration asDuration;
        if (whole != null) {
            if (m == AutoCompaction.Mode.REVISION) {
                return new AutoCompaction(m, Duration.ZERO, whole);
            }
            asDuration = Duration.ofHours(whole);
        } else {
            try {
                asDuration = GoDuration.parse(retention);
            } catch (GoDuration.InvalidDurationException e) {
                throw new FlagValueException("error parsing CompactionRetention: " + e.getMessage());
            }
            if (m == AutoCompaction.Mode.REVISION) {
                return new AutoCompaction(m, Duration.ZERO, asDuration.toNanos());
            }
        }
        return new AutoCompaction(m, asDuration, 0);
    }
}
