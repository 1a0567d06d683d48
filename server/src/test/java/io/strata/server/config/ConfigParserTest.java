package io.strata.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.server.config.ParseOutcome.PrintAndExit;
import io.strata.server.config.ParseOutcome.Run;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigParserTest {

    private static ParseOutcome parse(Map<String, String> env, String... args) {
        return ConfigParser.parse(args, env);
    }

    private static ServerConfig run(String... args) {
        return runWith(Map.of(), args).config();
    }

    private static Run runWith(Map<String, String> env, String... args) {
        ParseOutcome outcome = parse(env, args);
        assertThat(outcome).as("outcome of %s", List.of(args)).isInstanceOf(Run.class);
        return (Run) outcome;
    }

    private static PrintAndExit exit(Map<String, String> env, String... args) {
        ParseOutcome outcome = parse(env, args);
        assertThat(outcome).as("outcome of %s", List.of(args)).isInstanceOf(PrintAndExit.class);
        return (PrintAndExit) outcome;
    }

    private static PrintAndExit exit(String... args) {
        return exit(Map.of(), args);
    }

    private static List<String> warnedFlags(Run run) {
        return run.notes().stream()
                .filter(n -> n.message().equals(ConfigParser.NOT_IMPLEMENTED))
                .map(n -> (String) n.fields().get("flag"))
                .toList();
    }

    @Test
    void defaultsMatchEtcd() {
        Run run = runWith(Map.of());
        ServerConfig c = run.config();
        assertThat(c.name()).isEqualTo("default");
        assertThat(c.dataDir()).isEqualTo(Path.of("default.etcd"));
        assertThat(c.walDir()).isEmpty();
        assertThat(c.listenClientUrls()).containsExactly(URI.create("http://localhost:2379"));
        assertThat(c.advertiseClientUrls()).containsExactly(URI.create("http://localhost:2379"));
        assertThat(c.listenPeerUrls()).containsExactly(URI.create("http://localhost:2380"));
        assertThat(c.initialAdvertisePeerUrls()).containsExactly(URI.create("http://localhost:2380"));
        assertThat(c.initialCluster()).containsExactly(Map.entry("default", List.of(URI.create("http://localhost:2380"))));
        assertThat(c.initialClusterState()).isEqualTo(ServerConfig.ClusterState.NEW);
        assertThat(c.initialClusterToken()).isEqualTo("etcd-cluster");
        assertThat(c.snapshotCount()).isEqualTo(100_000);
        assertThat(c.maxRequestBytes()).isEqualTo(1_572_864);
        assertThat(c.maxTxnOps()).isEqualTo(128);
        assertThat(c.quotaBackendBytes()).isZero();
        assertThat(c.effectiveQuotaBackendBytes()).isEqualTo(2L << 30);
        assertThat(c.heartbeatInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(c.electionTimeout()).isEqualTo(Duration.ofMillis(1000));
        assertThat(c.electionTicks()).isEqualTo(10);
        assertThat(c.logLevel()).isEqualTo(ServerConfig.LogLevel.INFO);
        assertThat(c.logOutputs()).containsExactly("default");
        assertThat(c.autoCompaction().enabled()).isFalse();
        assertThat(c.watchProgressNotifyInterval()).isEqualTo(Duration.ofMinutes(10));
        assertThat(c.enablePprof()).isFalse();
        assertThat(warnedFlags(run)).isEmpty();
    }

    @Test
    void unknownFlagExitsWithCode2() {
        PrintAndExit out = exit("--foo");
        assertThat(out.exitCode()).isEqualTo(2);
        assertThat(out.toStderr()).isTrue();
        assertThat(out.text()).startsWith("flag provided but not defined: -foo\nUsage:");
    }

    @Test
    void malformedValueExitsWithCode2() {
        assertThat(exit("--heartbeat-interval", "abc").text())
                .startsWith("invalid value \"abc\" for flag -heartbeat-interval: parse error\n");
        assertThat(exit("--snapshot-count", "-1").text())
                .startsWith("invalid value \"-1\" for flag -snapshot-count: parse error\n");
        assertThat(exit("--experimental-watch-progress-notify-interval", "10").text())
                .startsWith("invalid value \"10\" for flag -experimental-watch-progress-notify-interval: parse error\n");
        assertThat(exit("--listen-client-urls", "foo").text())
                .startsWith("invalid value \"foo\" for flag -listen-client-urls: URL scheme must be http, https, unix, or unixs: foo\n");
        assertThat(exit("--initial-cluster-state", "bogus").text())
                .startsWith("invalid value \"bogus\" for flag -initial-cluster-state: invalid value\n");
        assertThat(exit("--enable-pprof=maybe").text())
                .startsWith("invalid boolean value \"maybe\" for -enable-pprof: parse error\n");
        assertThat(exit("--max-concurrent-streams", "5000000000").text()).startsWith(
                "invalid value \"5000000000\" for flag -max-concurrent-streams: strconv.ParseUint: parsing \"5000000000\": value out of range\n");
        assertThat(exit("--name").text()).startsWith("flag needs an argument: -name\n");
        assertThat(exit("---name", "x").text()).startsWith("bad flag syntax: ---name\n");
        for (String[] args : List.of(new String[] {"--heartbeat-interval", "abc"}, new String[] {"--name"})) {
            assertThat(exit(args).exitCode()).isEqualTo(2);
        }
    }

    @Test
    void equalsAndSpaceFormsAreEquivalent() {
        ServerConfig spaced = run("--name", "n1", "--snapshot-count", "42", "--heartbeat-interval", "50");
        ServerConfig equals = run("--name=n1", "--snapshot-count=42", "--heartbeat-interval=50");
        ServerConfig singleDash = run("-name", "n1", "-snapshot-count=42", "-heartbeat-interval", "50");
        assertThat(equals).isEqualTo(spaced);
        assertThat(singleDash).isEqualTo(spaced);
        assertThat(spaced.snapshotCount()).isEqualTo(42);
    }

    @Test
    void booleanFlagsTakeNoSeparateValue() {
        assertThat(run("--enable-pprof").enablePprof()).isTrue();
        assertThat(run("--enable-pprof=true").enablePprof()).isTrue();
        assertThat(run("-enable-pprof=0").enablePprof()).isFalse();
        // As in etcd, "false" after a boolean flag is a stray argument, not its value.
        PrintAndExit stray = exit("--enable-pprof", "false");
        assertThat(stray.exitCode()).isEqualTo(1);
        assertThat(stray.text()).contains("\"error\":\"'false' is not a valid flag\"");
    }

    @Test
    void strayArgumentIsRejectedWithExitCode1() {
        PrintAndExit out = exit("stray", "--name", "x");
        assertThat(out.exitCode()).isEqualTo(1);
        assertThat(out.toStderr()).isTrue();
        assertThat(out.text()).contains("\"msg\":\"failed to verify flags\"", "\"error\":\"'stray' is not a valid flag\"");
    }

    @Test
    void doubleDashEndsTheFlags() {
        assertThat(exit("--", "--name", "x").text()).contains("'--name' is not a valid flag");
    }

    @Test
    void repeatedFlagKeepsTheLastValue() {
        assertThat(run("--name", "a", "--name", "b").name()).isEqualTo("b");
    }

    @Test
    void integersTakeGoPrefixes() {
        assertThat(run("--snapshot-count", "0x10").snapshotCount()).isEqualTo(16);
        assertThat(run("--snapshot-count", "1_000").snapshotCount()).isEqualTo(1000);
        assertThat(run("--quota-backend-bytes", "-1").effectiveQuotaBackendBytes()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void envVariableSetsFlag() {
        Run run = runWith(Map.of("ETCD_DATA_DIR", "/var/lib/x", "ETCD_NAME", "n2", "ETCD_ENABLE_PPROF", "true"));
        assertThat(run.config().dataDir()).isEqualTo(Path.of("/var/lib/x"));
        assertThat(run.config().name()).isEqualTo("n2");
        assertThat(run.config().enablePprof()).isTrue();
        assertThat(run.notes()).anySatisfy(n -> {
            assertThat(n.message()).isEqualTo("recognized and used environment variable");
            assertThat(n.fields()).containsEntry("variable-name", "ETCD_DATA_DIR");
        });
    }

    @Test
    void emptyEnvVariableIsIgnored() {
        assertThat(runWith(Map.of("ETCD_NAME", "")).config().name()).isEqualTo("default");
    }

    @Test
    void flagAndEnvVariableTogetherAreFatal() {
        PrintAndExit out = exit(Map.of("ETCD_NAME", "x"), "--name", "y");
        assertThat(out.exitCode()).isEqualTo(1);
        assertThat(out.text()).contains("\"level\":\"fatal\"",
                "conflicting environment variable is shadowed by corresponding command-line flag",
                "\"environment-variable\":\"ETCD_NAME\"");
    }

    @Test
    void unrecognizedEnvVariableIsReported() {
        Run run = runWith(Map.of("ETCD_FOO", "1", "HOME", "/root"));
        assertThat(run.notes()).anySatisfy(n -> {
            assertThat(n.level()).isEqualTo("warn");
            assertThat(n.message()).isEqualTo("unrecognized environment variable");
            assertThat(n.fields()).containsEntry("environment-variable", "ETCD_FOO=1");
        });
        assertThat(run.notes()).noneSatisfy(n -> assertThat(n.fields().toString()).contains("HOME"));
    }

    @Test
    void envVariableCannotAskForTheVersion() {
        Run run = runWith(Map.of("ETCD_VERSION", "true"));
        assertThat(run.notes()).anySatisfy(n -> assertThat(n.message()).isEqualTo("cannot set special environment variable"));
    }

    @Test
    void malformedEnvVariableFailsVerification() {
        PrintAndExit out = exit(Map.of("ETCD_ELECTION_TIMEOUT", "abc"));
        assertThat(out.exitCode()).isEqualTo(1);
        assertThat(out.text()).contains("invalid value \\\"abc\\\" for ETCD_ELECTION_TIMEOUT: parse error");
    }

    @Test
    void notImplementedFlagIsAcceptedWithWarning() {
        Run run = runWith(Map.of("ETCD_AUTH_TOKEN", "jwt"), "--cert-file", "/c.pem", "--pre-vote=false");
        assertThat(warnedFlags(run)).containsExactlyInAnyOrder("cert-file", "pre-vote", "auth-token");
        assertThat(run.notes()).filteredOn(n -> n.message().equals(ConfigParser.NOT_IMPLEMENTED))
                .allSatisfy(n -> assertThat(n.level()).isEqualTo("warn"));
    }

    @Test
    void flagsSetToTheirDefaultsStillWarnWhenNotImplemented() {
        assertThat(warnedFlags(runWith(Map.of(), "--max-wals", "5"))).containsExactly("max-wals");
    }

    @Test
    void legacyFlagsAreIgnored() {
        Run run = runWith(Map.of(), "-v", "--peer-heartbeat-interval", "--name", "x");
        assertThat(run.config().name()).isEqualTo("x");
        assertThat(run.notes()).anySatisfy(n -> assertThat(n.message()).isEqualTo("flag is no longer supported - ignoring"));
    }

    @Test
    void electionTimeoutBelowFiveHeartbeatsFails() {
        PrintAndExit out = exit("--election-timeout", "400");
        assertThat(out.exitCode()).isEqualTo(1);
        assertThat(out.text()).contains(
                "--election-timeout[400ms] should be at least as 5 times as --heartbeat-interval[100ms]");
        assertThat(exit("--heartbeat-interval", "0").text()).contains("--heartbeat-interval must be >0 (set to 0ms)");
        assertThat(exit("--election-timeout", "60000", "--heartbeat-interval", "1000").text())
                .contains("--election-timeout[60000ms] is too long, and should be set less than 50000ms");
        assertThat(run("--election-timeout", "500").electionTimeout()).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void listenClientUrlsWithoutAdvertiseClientUrlsFails() {
        PrintAndExit out = exit("--listen-client-urls", "http://127.0.0.1:2379");
        assertThat(out.exitCode()).isEqualTo(1);
        assertThat(out.text()).contains("--advertise-client-urls is required when --listen-client-urls is set explicitly",
                "advertise client URLs are not set");
        assertThat(exit(Map.of("ETCD_LISTEN_CLIENT_URLS", "http://127.0.0.1:2379")).exitCode()).isEqualTo(1);
    }

    @Test
    void listenUrlsMustBeIpAddresses() {
        assertThat(exit("--listen-peer-urls", "http://example.com:2380").text())
                .contains("expected IP in URL for binding (http://example.com:2380)");
        assertThat(run("--listen-peer-urls", "http://[::1]:2380,http://0.0.0.0:2381").listenPeerUrls()).hasSize(2);
        assertThat(exit("--initial-advertise-peer-urls", "http://:2380").text())
                .contains("must be \\\"host:port\\\" (unexpected empty host (http://:2380))");
    }

    @Test
    void urlListsAreSortedAndDeduplicated() {
        ServerConfig c = run("--listen-client-urls", "http://127.0.0.2:2379, http://127.0.0.1:2379,http://127.0.0.2:2379",
                "--advertise-client-urls", "http://b:2379,http://a:2379");
        assertThat(c.listenClientUrls()).containsExactly(URI.create("http://127.0.0.1:2379"), URI.create("http://127.0.0.2:2379"));
        assertThat(c.advertiseClientUrls()).containsExactly(URI.create("http://a:2379"), URI.create("http://b:2379"));
        assertThat(exit("--listen-client-urls", "http://127.0.0.1:2379/x").text())
                .contains("URL must not contain a path: http://127.0.0.1:2379/x");
        assertThat(exit("--listen-client-urls", "http://127.0.0.1").text())
                .contains("URL address does not have the form \"host:port\": http://127.0.0.1");
    }

    @Test
    void nameAloneDerivesInitialClusterAndDataDir() {
        Run run = runWith(Map.of(), "--name", "n1", "--initial-advertise-peer-urls", "http://10.0.0.1:2380");
        assertThat(run.config().initialCluster()).containsExactly(Map.entry("n1", List.of(URI.create("http://10.0.0.1:2380"))));
        assertThat(run.config().dataDir()).isEqualTo(Path.of("n1.etcd"));
        assertThat(run.notes()).anySatisfy(n -> assertThat(n.message()).isEqualTo("'data-dir' was empty; using default"));
    }

    @Test
    void initialClusterIsParsedByName() {
        ServerConfig c = run("--name", "b", "--initial-cluster",
                "b=http://10.0.0.2:2380,a=http://10.0.0.1:2380,a=http://10.0.0.9:2380", "--initial-cluster-state", "existing");
        assertThat(c.initialCluster().keySet()).containsExactly("a", "b");
        assertThat(c.initialCluster().get("a")).hasSize(2);
        assertThat(c.initialClusterState()).isEqualTo(ServerConfig.ClusterState.EXISTING);
        PrintAndExit bad = exit("--initial-cluster", "bogus");
        assertThat(bad.exitCode()).isEqualTo(1);
        assertThat(bad.text()).contains("error setting up initial cluster: URL scheme must be http, https, unix, or unixs: ");
    }

    @Test
    void discoveryAndInitialClusterConflict() {
        assertThat(exit("--discovery", "https://d.example/x", "--initial-cluster", "a=http://127.0.0.1:2380").text())
                .contains("multiple discovery or bootstrap flags are set");
        assertThat(run("--discovery", "https://d.example/x").initialCluster()).isEmpty();
    }

    @Test
    void autoCompactionRetentionFollowsEtcd() {
        ServerConfig periodicHours = run("--auto-compaction-retention", "1");
        assertThat(periodicHours.autoCompaction().period()).isEqualTo(Duration.ofHours(1));
        assertThat(periodicHours.autoCompaction().enabled()).isTrue();
        assertThat(run("--auto-compaction-retention", "30m").autoCompaction().period()).isEqualTo(Duration.ofMinutes(30));
        ServerConfig revisions = run("--auto-compaction-mode", "revision", "--auto-compaction-retention", "1000");
        assertThat(revisions.autoCompaction().mode()).isEqualTo(ServerConfig.AutoCompaction.Mode.REVISION);
        assertThat(revisions.autoCompaction().retainRevisions()).isEqualTo(1000);
        assertThat(exit("--auto-compaction-mode", "foo").text()).contains("unknown auto-compaction-mode \\\"foo\\\"");
        assertThat(exit("--auto-compaction-retention", "1x").text())
                .contains("error parsing CompactionRetention: time: unknown unit \\\"x\\\" in duration \\\"1x\\\"");
    }

    @Test
    void watchProgressIntervalHasAFloor() {
        Run run = runWith(Map.of(), "--experimental-watch-progress-notify-interval", "10ms");
        assertThat(run.config().watchProgressNotifyInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(run.notes()).anySatisfy(n -> assertThat(n.fields())
                .containsEntry("min-watch-progress-notify-interval", "100ms"));
        assertThat(run("--experimental-watch-progress-notify-interval", "1.5s").watchProgressNotifyInterval())
                .isEqualTo(Duration.ofMillis(1500));
    }

    @Test
    void loggingFlagsAreChecked() {
        assertThat(run("--log-level", "debug").logLevel()).isEqualTo(ServerConfig.LogLevel.DEBUG);
        assertThat(run("--log-outputs", "stdout,/tmp/x.log").logOutputs()).containsExactly("/tmp/x.log", "stdout");
        PrintAndExit badLevel = exit("--log-level", "bogus");
        assertThat(badLevel.exitCode()).isEqualTo(2);
        assertThat(badLevel.text()).isEqualTo("unrecognized level: \"bogus\"\n");
        assertThat(exit("--logger", "foo").text()).contains("unknown logger option \\\"foo\\\"");
        assertThat(exit("--logger", "capnslog").text()).contains("--logger=capnslog is removed in v3.5");
        assertThat(exit("--log-outputs", "default,stderr").text()).contains("multi logoutput for \\\"default\\\" is not supported yet");
    }

    @Test
    void tlsVersionsAreChecked() {
        assertThat(exit("--tls-min-version", "TLS1.1").text())
                .contains("unexpected TLS version \\\"TLS1.1\\\" (must be one of: TLS1.2, TLS1.3)");
        assertThat(exit("--tls-min-version", "TLS1.3", "--tls-max-version", "TLS1.2").text())
                .contains("min version (TLS1.3) is greater than max version (TLS1.2)");
    }

    @Test
    void versionPrintsStrataAndEtcdApiVersions() {
        PrintAndExit out = exit("--version");
        assertThat(out.exitCode()).isZero();
        assertThat(out.toStderr()).isFalse();
        assertThat(out.text().lines()).hasSize(4);
        assertThat(out.text()).startsWith("Strata Version: ")
                .contains("\netcd API Version: 3.5\n", "\nJava Version: " + System.getProperty("java.version") + "\n", "\nOS/Arch: ");
    }

    @Test
    void helpListsEveryVisibleFlagWithItsDefault() {
        for (String form : List.of("-h", "--help", "-help")) {
            PrintAndExit out = exit("--name", "x", form);
            assertThat(out.exitCode()).isZero();
            assertThat(out.toStderr()).isFalse();
            assertThat(out.text()).startsWith("Usage:");
        }
        String help = exit("--help").text();
        assertThat(help).contains("\nMember:\n  --name 'default'\n", "\nClustering:\n", "\nSecurity:\n", "\nLogging:\n",
                "  --initial-cluster-token 'etcd-cluster'\n", "  --max-request-bytes '1572864'\n");
        for (FlagSpec spec : FlagTable.all()) {
            if (!spec.hidden()) {
                assertThat(help).contains("  --" + spec.name() + " ");
            }
        }
    }

    @Test
    void flagTableHasEtcdFlagsOnceEach() {
        assertThat(FlagTable.all()).extracting(FlagSpec::name).doesNotHaveDuplicates()
                .contains("name", "data-dir", "cert-file", "experimental-snapshot-catchup-entries", "config-file", "version", "v");
        assertThat(FlagTable.all()).hasSizeGreaterThan(120);
    }
}
