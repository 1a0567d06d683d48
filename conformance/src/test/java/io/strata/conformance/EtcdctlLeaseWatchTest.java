package io.strata.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.conformance.harness.Cluster;
import io.strata.conformance.harness.Etcdctl;
import io.strata.conformance.harness.ServerKind;
import io.strata.conformance.harness.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * etcdctl's lease and watch commands on an empty reference etcd and on an empty server of the
 * target kind, compared once identities are normalised as in {@link EtcdctlOutputTest}. Lease
 * ids are the server's choice, so each becomes {@code <lease-N>} (in hex and in decimal), and
 * the remaining TTL of a live lease depends on timing, so it becomes {@code <ttl>}.
 *
 * <p>The watches start at a fixed revision, so they print the same events however their start
 * races with the writes. The ones printed in formats that show how events are grouped into
 * responses (json, fields) start after the writes and replay history.
 */
class EtcdctlLeaseWatchTest {
    static final long WATCH_OUTPUT_TIMEOUT_SECONDS = 15;
    private static final Pattern GRANTED = Pattern.compile("lease ([0-9a-f]+) granted with TTL");
    private static final Pattern REMAINING = Pattern.compile("remaining\\([0-9]+s\\)");
    private static final Pattern JSON_TTL = Pattern.compile("\"ttl\":[0-9]+");

    /** One command and what it printed, normalised. */
    record Step(String command, Etcdctl.Result result) {}

    private static List<Step> expected;
    private static List<Step> actual;

    @BeforeAll
    static void runScenarioOnBothServers() throws IOException {
        ServerKind target = ServerKind.target();
        try (Cluster reference = Cluster.startSingle(ServerKind.ETCD, "EtcdctlLeaseWatchTest-reference")) {
            expected = new Scenario(reference).run();
        }
        try (Cluster server = Cluster.startSingle(target, "EtcdctlLeaseWatchTest-target")) {
            actual = new Scenario(server).run();
        }
        writeTranscript("EtcdctlLeaseWatchTest-reference-etcd.txt", expected);
        writeTranscript("EtcdctlLeaseWatchTest-target-" + target.name().toLowerCase(Locale.ROOT) + ".txt", actual);
    }

    @Test
    void leaseCommandsPrintTheSameAsAgainstReferenceEtcd() {
        assertSameOutput("lease ", "put ", "get ");
    }

    @Test
    void watchCommandsPrintTheSameAsAgainstReferenceEtcd() {
        assertSameOutput("watch ");
    }

    @Test
    void leaseOutputMatchesLiteralExpectations() {
        assertThat(step(actual, "lease grant 60").result().stdout()).isEqualTo("lease <lease-0> granted with TTL(60s)\n");
        assertThat(step(actual, "lease timetolive <lease-0> --keys").result().stdout())
                .isEqualTo("lease <lease-0> granted with TTL(60s), remaining(<ttl>s), attached keys([foo])\n");
        assertThat(step(actual, "lease list").result().stdout())
                .isEqualTo("found 2 leases\n<lease-0>\n<lease-1>\n");
        assertThat(step(actual, "lease keep-alive --once <lease-0>").result().stdout())
                .isEqualTo("lease <lease-0> keepalived with TTL(60)\n");
        assertThat(step(actual, "lease revoke <lease-0>").result().stdout()).isEqualTo("lease <lease-0> revoked\n");
        assertThat(step(actual, "lease timetolive <lease-0> (revoked)").result().stdout())
                .isEqualTo("lease <lease-0> already expired\n");
        assertThat(step(actual, "watch foo --rev=2").result().stdout())
                .isEqualTo("PUT\nfoo\nbar\nDELETE\nfoo\n\nPUT\nfoo\na\nDELETE\nfoo\n\n");
    }

    private static void assertSameOutput(String... commandPrefixes) {
        assertThat(actual).extracting(Step::command).isEqualTo(expected.stream().map(Step::command).toList());
        List<String> differences = new ArrayList<>();
        for (int i = 0; i < expected.size(); i++) {
            Step want = expected.get(i);
            Step got = actual.get(i);
            boolean selected = List.of(commandPrefixes).stream().anyMatch(want.command()::startsWith);
            if (selected && !want.result().equals(got.result())) {
                differences.add("etcdctl " + want.command() + "\n=== reference etcd: " + want.result()
                        + "=== " + ServerKind.target() + ": " + got.result());
            }
        }
        assertThat(differences).as("etcdctl commands whose output differs from reference etcd").isEmpty();
    }

    private static Step step(List<Step> steps, String command) {
        return steps.stream().filter(s -> s.command().equals(command)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no step etcdctl " + command));
    }

    /** The commands, run in order on one empty cluster; the comments give the revision after each write. */
    private static final class Scenario {
        private final Etcdctl etcdctl;
        private final EtcdctlOutputNormaliser normaliser;
        /** Lease ids in hex as printed, in grant order. */
        private final List<String> leaseIds = new ArrayList<>();
        private final List<Step> steps = new ArrayList<>();

        Scenario(Cluster cluster) {
            etcdctl = cluster.etcdctl();
            normaliser = EtcdctlOutputNormaliser.forCluster(cluster);
        }

        List<Step> run() {
            String a = grant("60");
            String b = grant("120");
            run("put --lease=<lease-0> foo bar", "put", "--lease=" + a, "foo", "bar"); // 2
            run("put --lease=<lease-1> baz qux", "put", "--lease=" + b, "baz", "qux"); // 3
            run("get foo -w json", "get", "foo", "-w", "json");
            run("lease timetolive <lease-0>", "lease", "timetolive", a);
            run("lease timetolive <lease-0> --keys", "lease", "timetolive", a, "--keys");
            run("lease timetolive <lease-0> --keys -w json", "lease", "timetolive", a, "--keys", "-w", "json");
            run("lease list", "lease", "list");
            run("lease list -w json", "lease", "list", "-w", "json");
            run("lease keep-alive --once <lease-0>", "lease", "keep-alive", "--once", a);
            run("lease keep-alive --once <lease-0> -w json", "lease", "keep-alive", "--once", a, "-w", "json");
            run("lease revoke <lease-0>", "lease", "revoke", a); // 4
            run("get foo", "get", "foo");
            run("lease revoke <lease-0> (revoked)", "lease", "revoke", a);
            run("lease timetolive <lease-0> (revoked)", "lease", "timetolive", a);
            run("lease timetolive <lease-0> -w json (revoked)", "lease", "timetolive", a, "-w", "json");
            run("lease keep-alive --once <lease-0> (revoked)", "lease", "keep-alive", "--once", a);
            run("put --lease=<lease-0> x y (revoked)", "put", "--lease=" + a, "x", "y");
            run("lease revoke <lease-1>", "lease", "revoke", b); // 5
            run("lease list (none left)", "lease", "list");
            watch();
            return steps;
        }

        private void watch() {
            Map<String, Watching> live = new LinkedHashMap<>();
            live.put("watch foo --rev=2", start(4, "watch", "foo", "--rev=2"));
            live.put("watch --prefix \"\" --rev=2", start(9, "watch", "--prefix", "", "--rev=2"));
            live.put("watch w/ --prefix --prev-kv --rev=6", start(3, "watch", "w/", "--prefix", "--prev-kv", "--rev=6"));
            run("put w/x 1", "put", "w/x", "1"); // 6
            run("put w/x 2", "put", "w/x", "2"); // 7
            run("del w/x", "del", "w/x"); // 8
            run("put foo a", "put", "foo", "a"); // 9
            run("del foo", "del", "foo"); // 10
            Map<String, Watching> replays = new LinkedHashMap<>();
            replays.put("watch w/ --prefix --prev-kv -w json --rev=6",
                    start(3, "watch", "w/", "--prefix", "--prev-kv", "-w", "json", "--rev=6"));
            replays.put("watch --prefix \"\" -w fields --rev=2",
                    start(9, "watch", "--prefix", "", "-w", "fields", "--rev=2"));
            live.putAll(replays);
            for (Map.Entry<String, Watching> entry : live.entrySet()) {
                steps.add(new Step(entry.getKey(), normalise(entry.getValue().awaitEventsThenStop())));
            }
        }

        private String grant(String ttl) {
            Etcdctl.Result result = etcdctl.run("lease", "grant", ttl);
            Matcher matcher = GRANTED.matcher(result.stdout());
            if (!matcher.find()) {
                throw new AssertionError("etcdctl lease grant " + ttl + " printed no lease id: " + result);
            }
            leaseIds.add(matcher.group(1));
            steps.add(new Step("lease grant " + ttl, normalise(result)));
            return matcher.group(1);
        }

        private void run(String command, String... args) {
            steps.add(new Step(command, normalise(etcdctl.run(args))));
        }

        private Watching start(int expectedEvents, String... args) {
            return new Watching(etcdctl.start(args), expectedEvents);
        }

        private Etcdctl.Result normalise(Etcdctl.Result raw) {
            // Lease ids go first: the general normaliser would take a decimal "ID" for a member id.
            return normaliser.normalise(new Etcdctl.Result(raw.exitCode(), normaliseLeases(raw.stdout()),
                    normaliseLeases(raw.stderr())));
        }

        private String normaliseLeases(String text) {
            String out = text;
            for (int i = 0; i < leaseIds.size(); i++) {
                String hex = leaseIds.get(i);
                String placeholder = Matcher.quoteReplacement("<lease-" + i + ">");
                out = out.replaceAll("(?<![0-9a-f])" + hex + "(?![0-9a-f])", placeholder);
                out = out.replaceAll("(?<![0-9])" + Long.parseUnsignedLong(hex, 16) + "(?![0-9])", placeholder);
            }
            out = REMAINING.matcher(out).replaceAll("remaining(<ttl>s)");
            return JSON_TTL.matcher(out).replaceAll(Matcher.quoteReplacement("\"ttl\":\"<ttl>\""));
        }
    }

    /** A running etcdctl watch and the number of events it must print before it is stopped. */
    private record Watching(Etcdctl.Background process, int expectedEvents) {
        Etcdctl.Result awaitEventsThenStop() {
            try (Etcdctl.Background watch = process) {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WATCH_OUTPUT_TIMEOUT_SECONDS);
                while (eventsPrinted(watch.stdoutSoFar()) < expectedEvents && watch.isRunning()
                        && System.nanoTime() < deadline) {
                    Thread.sleep(50);
                }
                return watch.stop();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        /** Events printed so far, in whichever output format the watch uses. */
        static int eventsPrinted(String output) {
            int simple = 0;
            for (String line : output.split("\n", -1)) {
                if (line.equals("PUT") || line.equals("DELETE")) {
                    simple++;
                }
            }
            return Math.max(simple, Math.max(count(output, "\"kv\":"), count(output, "\"Type\" :")));
        }

        private static int count(String text, String needle) {
            int found = 0;
            for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) {
                found++;
            }
            return found;
        }
    }

    private static void writeTranscript(String fileName, List<Step> steps) throws IOException {
        StringBuilder text = new StringBuilder();
        for (Step step : steps) {
            text.append("### etcdctl ").append(step.command()).append('\n').append(step.result()).append('\n');
        }
        Path file = Tools.workDir().resolve(fileName);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
