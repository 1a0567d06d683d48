package io.strata.conformance;

import io.strata.conformance.harness.Cluster;
import io.strata.conformance.harness.Etcdctl;
import io.strata.conformance.harness.ServerProcess;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites etcdctl output so that two different clusters that behave the same print the same
 * text: identities (cluster and member ids, URLs), raft progress (terms, indexes), database
 * sizes, the server version, durations and the client's own log timestamps become placeholders.
 * Revisions, key-value versions, values, counts and error messages are left alone: those must
 * match exactly.
 */
final class EtcdctlOutputNormaliser {
    /** JSON fields (from -w json) that measure raft progress or the database. */
    private static final List<String> JSON_MEASURE_FIELDS = List.of("raft_term", "raftIndex", "raftTerm",
            "raftAppliedIndex", "dbSize", "dbSizeInUse");
    /** JSON fields that hold a member id; the same id gets the same placeholder in all of them. */
    private static final List<String> JSON_MEMBER_ID_FIELDS = List.of("member_id", "ID", "leader");
    private static final Pattern FIELDS_MEMBER_ID = Pattern.compile("\"MemberID\" : ([0-9]+)");
    private static final Pattern FIELDS_CLUSTER_ID = Pattern.compile("\"ClusterID\" : [0-9]+");
    private static final Pattern FIELDS_RAFT_TERM = Pattern.compile("\"RaftTerm\" : [0-9]+");
    private static final Pattern JSON_CLUSTER_ID = Pattern.compile("\"cluster_id\":[0-9]+");
    /** Fields of the client's JSON log lines that vary from run to run. */
    private static final List<String> CLIENT_LOG_FIELDS = List.of("ts", "target", "peer");

    private static final Pattern SERVER_VERSION = Pattern.compile("\"version\":\"[^\"]*\"");
    private static final Pattern DURATION = Pattern.compile("took = [0-9.]+(ns|µs|us|ms|s|m[0-9.]+s)");

    private final List<String[]> urlReplacements = new ArrayList<>();
    /** Member ids in the order first seen, so that "leader" can be seen to equal "member_id". */
    private final Map<String, String> memberIdPlaceholders = new HashMap<>();

    /** For members whose client and peer URLs are given in member order. */
    EtcdctlOutputNormaliser(List<String> clientUrls, List<String> peerUrls) {
        for (int i = 0; i < clientUrls.size(); i++) {
            urlReplacements.add(new String[] {clientUrls.get(i), "<client-url-" + i + ">"});
        }
        for (int i = 0; i < peerUrls.size(); i++) {
            urlReplacements.add(new String[] {peerUrls.get(i), "<peer-url-" + i + ">"});
        }
    }

    static EtcdctlOutputNormaliser forCluster(Cluster cluster) {
        return new EtcdctlOutputNormaliser(cluster.clientUrls(),
                cluster.members().stream().map(ServerProcess::peerUrl).toList());
    }

    Etcdctl.Result normalise(Etcdctl.Result result) {
        return new Etcdctl.Result(result.exitCode(), normalise(result.stdout()), normalise(result.stderr()));
    }

    String normalise(String text) {
        String out = text;
        for (String field : CLIENT_LOG_FIELDS) {
            out = out.replaceAll("\"" + field + "\":\"[^\"]*\"", Matcher.quoteReplacement("\"" + field + "\":\"<" + field + ">\""));
        }
        for (String[] replacement : urlReplacements) {
            // A port must not match as the prefix of a longer port number.
            out = out.replaceAll(Pattern.quote(replacement[0]) + "(?![0-9])", Matcher.quoteReplacement(replacement[1]));
        }
        out = JSON_CLUSTER_ID.matcher(out).replaceAll(Matcher.quoteReplacement("\"cluster_id\":\"<cluster-id>\""));
        out = FIELDS_CLUSTER_ID.matcher(out).replaceAll(Matcher.quoteReplacement("\"ClusterID\" : <cluster-id>"));
        out = FIELDS_RAFT_TERM.matcher(out).replaceAll(Matcher.quoteReplacement("\"RaftTerm\" : <raft_term>"));
        for (String field : JSON_MEASURE_FIELDS) {
            out = out.replaceAll("\"" + field + "\":[0-9]+", Matcher.quoteReplacement("\"" + field + "\":\"<" + field + ">\""));
        }
        for (String field : JSON_MEMBER_ID_FIELDS) {
            Matcher matcher = Pattern.compile("\"" + field + "\":([0-9]+)").matcher(out);
            out = matcher.replaceAll(match -> Matcher.quoteReplacement(
                    "\"" + field + "\":\"" + memberIdPlaceholder(match.group(1)) + "\""));
        }
        out = FIELDS_MEMBER_ID.matcher(out).replaceAll(match -> Matcher.quoteReplacement(
                "\"MemberID\" : " + memberIdPlaceholder(match.group(1))));
        out = SERVER_VERSION.matcher(out).replaceAll(Matcher.quoteReplacement("\"version\":\"<server-version>\""));
        out = DURATION.matcher(out).replaceAll("took = <duration>");
        return out;
    }

    private String memberIdPlaceholder(String id) {
        return memberIdPlaceholders.computeIfAbsent(id, unused -> "<member-" + memberIdPlaceholders.size() + ">");
    }
}
