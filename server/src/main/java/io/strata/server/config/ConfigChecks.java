package io.strata.server.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The consistency checks etcd makes on its configuration before it starts, in etcd's order and
 * with etcd's messages, so that a configuration etcd refuses is refused here with the same words.
 * Each check returns the error message, or null when the configuration passes.
 */
final class ConfigChecks {

    /** etcd's upper bound on the election timeout. */
    static final long MAX_ELECTION_TIMEOUT_MS = 50_000;
    static final long MAX_TRACING_SAMPLES_PER_MILLION = 1_000_000;

    static final String UNSET_ADVERTISE_CLIENT_URLS =
            "--advertise-client-urls is required when --listen-client-urls is set explicitly";

    private ConfigChecks() {
    }

    /**
     * Runs the checks that follow the logging set-up.
     *
     * @param advertiseClientUrls the advertised client URLs after etcd's rule that setting only
     *                            the listen URLs clears them
     * @param initialCluster      the initial cluster after discovery flags have cleared it
     */
    static String firstError(FlagValues v, List<URI> advertiseClientUrls, String initialCluster,
            boolean mayBeProxy, List<StartupNote> notes) {
        for (String flag : List.of("listen-peer-urls", "listen-client-urls", "listen-client-http-urls", "listen-metrics-urls")) {
            String error = checkBindUrls(v.urls(flag));
            if (error != null) {
                return error;
            }
        }
        String error = checkHostUrls(v.urls("initial-advertise-peer-urls"));
        if (error != null) {
            return "--initial-advertise-peer-urls \"" + String.join(",", UrlLists.toStrings(v.urls("initial-advertise-peer-urls")))
                    + "\" must be \"host:port\" (" + error + ")";
        }
        error = checkHostUrls(advertiseClientUrls);
        if (error != null) {
            return "--advertise-client-urls \"" + String.join(",", UrlLists.toStrings(advertiseClientUrls))
                    + "\" must be \"host:port\" (" + error + ")";
        }

        int bootstrapWays = 0;
        for (String way : List.of(v.string("discovery"), initialCluster, v.string("discovery-srv"))) {
            if (!way.isEmpty()) {
                bootstrapWays++;
            }
        }
        if (bootstrapWays > 1) {
            return "multiple discovery or bootstrap flags are set. "
                    + "Choose one of \"initial-cluster\", \"discovery\" or \"discovery-srv\"";
        }

        long tickMs = v.number("heartbeat-interval");
        long electionMs = v.number("election-timeout");
        if (tickMs == 0) {
            return "--heartbeat-interval must be >0 (set to " + tickMs + "ms)";
        }
        if (electionMs == 0) {
            return "--election-timeout must be >0 (set to " + electionMs + "ms)";
        }
        // "5 * tick > election" without the overflow: for integers it is "tick > election / 5".
        if (Long.compareUnsigned(tickMs, Long.divideUnsigned(electionMs, 5)) > 0) {
            return "--election-timeout[" + Long.toUnsignedString(electionMs) + "ms] should be at least as 5 times as --heartbeat-interval["
                    + Long.toUnsignedString(tickMs) + "ms]";
        }
        if (Long.compareUnsigned(electionMs, MAX_ELECTION_TIMEOUT_MS) > 0) {
            return "--election-timeout[" + Long.toUnsignedString(electionMs) + "ms] is too long, and should be set less than "
                    + MAX_ELECTION_TIMEOUT_MS + "ms";
        }

        if (!v.urls("listen-client-urls").isEmpty() && advertiseClientUrls.isEmpty() && !mayBeProxy) {
            return UNSET_ADVERTISE_CLIENT_URLS;
        }

        String mode = v.string("auto-compaction-mode");
        if (!mode.isEmpty() && !mode.equals("periodic") && !mode.equals("revision")) {
            return "unknown auto-compaction-mode \"" + mode + "\"";
        }

        boolean checkpoint = v.bool("experimental-enable-lease-checkpoint");
        boolean persist = v.bool("experimental-enable-lease-checkpoint-persist");
        if (checkpoint && !persist) {
            notes.add(StartupNote.warn("Detected that checkpointing is enabled without persistence. "
                    + "Consider enabling experimental-enable-lease-checkpoint-persist"));
        }
        if (persist && !checkpoint) {
            return "setting experimental-enable-lease-checkpoint-persist requires experimental-enable-lease-checkpoint";
        }

        Duration hashCheck = v.duration("experimental-compact-hash-check-time");
        if (hashCheck.isZero() || hashCheck.isNegative()) {
            return "--experimental-compact-hash-check-time must be >0 (set to " + GoDuration.format(hashCheck) + ")";
        }

        String min = v.string("tls-min-version");
        String max = v.string("tls-max-version");
        for (String tls : List.of(min, max)) {
            if (tlsRank(tls) < 0) {
                return "unexpected TLS version \"" + tls + "\" (must be one of: TLS1.2, TLS1.3)";
            }
        }
        if (tlsRank(max) != 0 && tlsRank(min) > tlsRank(max)) {
            return "min version (" + min + ") is greater than max version (" + max + ")";
        }
        if (min.equals("TLS1.3") && !v.strings("cipher-suites").isEmpty()) {
            return "cipher suites cannot be configured when only TLS1.3 is enabled";
        }

        if (v.bool("experimental-enable-distributed-tracing")) {
            long rate = v.number("experimental-distributed-tracing-sampling-rate");
            if (rate < 0) {
                return "distributed tracing configurition is not valid: (tracing sampling rate must be positive)";
            }
            if (rate > MAX_TRACING_SAMPLES_PER_MILLION) {
                return "distributed tracing configurition is not valid: (tracing sampling rate must be less than "
                        + MAX_TRACING_SAMPLES_PER_MILLION + ")";
            }
        }
        return null;
    }

    /** Listen URLs must name an IP address (or localhost), because they are bound, not resolved. */
    static String checkBindUrls(List<URI> urls) {
        for (URI url : urls) {
            if (url.getScheme().equals("unix") || url.getScheme().equals("unixs")) {
                continue;
            }
            String host = UrlLists.host(url);
            if (host == null) {
                return "address " + url.getRawAuthority() + ": missing port in address";
            }
            if (host.equals("localhost")) {
                continue;
            }
            if (!UrlLists.isIpLiteral(host)) {
                return "expected IP in URL for binding (" + url + ")";
            }
        }
        return null;
    }

    /** Advertised URLs must carry a host and a port, since others dial them. */
    static String checkHostUrls(List<URI> urls) {
        for (URI url : urls) {
            String authority = url.getRawAuthority() == null ? "" : url.getRawAuthority();
            String[] hostPort = UrlLists.splitHostPort(authority);
            if (hostPort == null) {
                return "address " + authority + ": missing port in address";
            }
            if (hostPort[0].isEmpty()) {
                return "unexpected empty host (" + url + ")";
            }
        }
        return null;
    }

    private static int tlsRank(String version) {
        switch (version) {
            case "":
                return 0;
            case "TLS1.2":
                return 12;
            case "TLS1.3":
                return 13;
            default:
                return -1;
        }
    }
}
