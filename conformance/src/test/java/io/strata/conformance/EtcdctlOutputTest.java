package io.strata.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.conformance.EtcdctlScript.Step;
import io.strata.conformance.harness.Cluster;
import io.strata.conformance.harness.Etcdctl;
import io.strata.conformance.harness.ServerKind;
import io.strata.conformance.harness.Tools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Runs one etcdctl script on an empty reference etcd and on an empty server of the target kind,
 * and requires the same exit codes, standard output and standard error once identities, raft
 * progress, sizes, versions and times are normalised. The golden output is made in the same run
 * from reference etcd, so it always matches the etcdctl in use. With etcd as the target, two
 * separate etcd clusters are compared, which checks that the normalising hides exactly what
 * differs between clusters; a few literal expectations pin the basics either way.
 */
class EtcdctlOutputTest {

    @Test
    void etcdctlPrintsTheSameAsAgainstReferenceEtcd() throws IOException {
        List<Step> steps = EtcdctlScript.steps();
        List<Etcdctl.Result> expected;
        List<Etcdctl.Result> actual;
        ServerKind target = ServerKind.target();
        try (Cluster reference = Cluster.startSingle(ServerKind.ETCD, "EtcdctlOutputTest-reference")) {
            expected = normalised(reference, EtcdctlScript.run(reference.etcdctl(), steps));
        }
        try (Cluster server = Cluster.startSingle(target, "EtcdctlOutputTest-target")) {
            actual = normalised(server, EtcdctlScript.run(server.etcdctl(), steps));
        }
        writeTranscript("EtcdctlOutputTest-reference-etcd.txt", steps, expected);
        writeTranscript("EtcdctlOutputTest-target-" + target.name().toLowerCase(java.util.Locale.ROOT) + ".txt",
                steps, actual);

        List<String> differences = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            if (!expected.get(i).equals(actual.get(i))) {
                differences.add("step " + i + ": " + steps.get(i) + "\n=== reference etcd: " + expected.get(i)
                        + "=== " + target + ": " + actual.get(i));
            }
        }
        assertThat(differences).as("etcdctl steps whose output differs from reference etcd").isEmpty();
        assertBasics(steps, actual);
    }

    /** Literal expectations for a few steps, so that a wrong normaliser cannot hide a difference. */
    private static void assertBasics(List<Step> steps, List<Etcdctl.Result> results) {
        String header = "{\"cluster_id\":\"<cluster-id>\",\"member_id\":\"<member-0>\",\"revision\":%d,"
                + "\"raft_term\":\"<raft_term>\"}";
        assertThat(result(steps, results, "put", "foo", "bar")).isEqualTo(ok("OK\n"));
        assertThat(result(steps, results, "put", "foo", "bar2", "--prev-kv")).isEqualTo(ok("OK\nfoo\nbar\n"));
        assertThat(result(steps, results, "get", "foo", "-w", "json")).isEqualTo(ok("{\"header\":" + header.formatted(3)
                + ",\"kvs\":[{\"key\":\"Zm9v\",\"create_revision\":2,\"mod_revision\":3,\"version\":2,"
                + "\"value\":\"YmFyMg==\"}],\"count\":1}\n"));
        assertThat(result(steps, results, "get", "k/", "--prefix", "--limit=2", "-w", "json")).isEqualTo(ok(
                "{\"header\":" + header.formatted(8) + ",\"kvs\":["
                + "{\"key\":\"ay9h\",\"create_revision\":4,\"mod_revision\":4,\"version\":1,\"value\":\"MQ==\"},"
                + "{\"key\":\"ay9i\",\"create_revision\":5,\"mod_revision\":8,\"version\":2,\"value\":\"Mg==\"}],"
                + "\"more\":true,\"count\":4}\n"));
        assertThat(result(steps, results, "get", "missing", "-w", "json"))
                .isEqualTo(ok("{\"header\":" + header.formatted(8) + "}\n"));
        assertThat(result(steps, results, "del", "k/", "--prefix", "--prev-kv"))
                .isEqualTo(ok("3\nk/b\n2\nk/c\n3\nk/d\n4\n"));
        assertThat(result(steps, results, "txn")).isEqualTo(ok("SUCCESS\n\nOK\n\nfoo\nbar3\n"));
        assertThat(result(steps, results, "compaction", "3")).isEqualTo(ok("compacted revision 3\n"));
        assertThat(result(steps, results, "get", "foo", "--rev=100")).isEqualTo(failed(1, clientWarning(
                "OutOfRange", "etcdserver: mvcc: required revision is a future revision")));
        assertThat(result(steps, results, "put", "--lease=1234", "x", "y")).isEqualTo(failed(1, clientWarning(
                "NotFound", "etcdserver: requested lease not found")));
        assertThat(result(steps, results, "endpoint", "status", "-w", "json")).isEqualTo(ok(
                "[{\"Endpoint\":\"<client-url-0>\",\"Status\":{\"header\":" + header.formatted(13)
                + ",\"version\":\"<server-version>\",\"dbSize\":\"<dbSize>\",\"leader\":\"<member-0>\","
                + "\"raftIndex\":\"<raftIndex>\",\"raftTerm\":\"<raftTerm>\",\"raftAppliedIndex\":\"<raftAppliedIndex>\","
                + "\"dbSizeInUse\":\"<dbSizeInUse>\"}}]\n"));
        assertThat(result(steps, results, "endpoint", "health")).isEqualTo(ok(
                "<client-url-0> is healthy: successfully committed proposal: took = <duration>\n"));
        assertThat(result(steps, results, "member", "list", "-w", "json")).isEqualTo(ok(
                "{\"header\":{\"cluster_id\":\"<cluster-id>\",\"member_id\":\"<member-0>\",\"raft_term\":\"<raft_term>\"},"
                + "\"members\":[{\"ID\":\"<member-0>\",\"name\":\"member0\",\"peerURLs\":[\"<peer-url-0>\"],"
                + "\"clientURLs\":[\"<client-url-0>\"]}]}\n"));
    }

    /** What etcdctl prints on standard error when the server answers a unary call with an error. */
    private static String clientWarning(String code, String message) {
        return "{\"level\":\"warn\",\"ts\":\"<ts>\",\"logger\":\"etcd-client\",\"caller\":\"v3/retry_interceptor.go:66\","
                + "\"msg\":\"retrying of unary invoker failed\",\"target\":\"<target>\",\"peer\":\"<peer>\",\"attempt\":0,"
                + "\"error\":\"rpc error: code = " + code + " desc = " + message + "\"}\n"
                + "Error: " + message + "\n";
    }

    private static Etcdctl.Result result(List<Step> steps, List<Etcdctl.Result> results, String... args) {
        for (int i = 0; i < steps.size(); i++) {
            if (steps.get(i).args().equals(List.of(args))) {
                return results.get(i);
            }
        }
        throw new IllegalArgumentException("no step etcdctl " + String.join(" ", args));
    }

    private static Etcdctl.Result ok(String stdout) {
        return new Etcdctl.Result(0, stdout, "");
    }

    private static Etcdctl.Result failed(int exitCode, String stderr) {
        return new Etcdctl.Result(exitCode, "", stderr);
    }

    private static List<Etcdctl.Result> normalised(Cluster cluster, List<Etcdctl.Result> raw) {
        EtcdctlOutputNormaliser normaliser = EtcdctlOutputNormaliser.forCluster(cluster);
        return raw.stream().map(normaliser::normalise).toList();
    }

    private static void writeTranscript(String fileName, List<Step> steps, List<Etcdctl.Result> results)
            throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < steps.size(); i++) {
            text.append("### step ").append(i).append(": ").append(steps.get(i)).append('\n')
                    .append(results.get(i)).append('\n');
        }
        Path file = Tools.workDir().resolve(fileName);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }
}
