package io.strata.conformance;

import io.strata.conformance.harness.Etcdctl;
import java.util.ArrayList;
import java.util.List;

/**
 * A fixed sequence of etcdctl 3.5 commands for an empty store. Revisions are predictable from
 * the start (an empty store is at revision 1), so the script can name them: each comment says
 * the revision the store is at after that line.
 */
final class EtcdctlScript {
    /** One etcdctl invocation, with optional standard input. */
    record Step(String stdin, List<String> args) {
        @Override
        public String toString() {
            return "etcdctl " + String.join(" ", args) + (stdin == null ? "" : " <<< " + stdin.replace("\n", "\\n"));
        }
    }

    private EtcdctlScript() {}

    static List<Step> steps() {
        List<Step> steps = new ArrayList<>();
        // Put and get of one key, in each output format.
        add(steps, "put", "foo", "bar"); // 2
        add(steps, "put", "foo", "bar2", "--prev-kv"); // 3
        add(steps, "get", "foo");
        add(steps, "get", "foo", "-w", "json");
        add(steps, "get", "foo", "-w", "fields");
        add(steps, "put", "k/a", "1"); // 4
        add(steps, "put", "k/b", "22"); // 5
        add(steps, "put", "k/c", "3"); // 6
        add(steps, "put", "k/d", "4"); // 7
        add(steps, "put", "k/b", "2"); // 8
        // Ranges and every get flag.
        add(steps, "get", "k/", "--prefix");
        add(steps, "get", "k/", "--prefix", "-w", "json");
        add(steps, "get", "k/", "--prefix", "--limit=2");
        add(steps, "get", "k/", "--prefix", "--limit=2", "-w", "json");
        add(steps, "get", "k/", "--prefix", "--keys-only");
        add(steps, "get", "k/", "--prefix", "--print-value-only");
        add(steps, "get", "k/", "--prefix", "--count-only", "-w", "fields");
        add(steps, "get", "k/", "--prefix", "--count-only");
        add(steps, "get", "k/b", "--from-key");
        add(steps, "get", "", "--from-key", "--keys-only");
        add(steps, "get", "k/a", "k/c");
        add(steps, "get", "k/", "--prefix", "--sort-by=MODIFY", "--order=DESCEND");
        add(steps, "get", "k/", "--prefix", "--sort-by=VALUE", "--order=ASCEND");
        add(steps, "get", "k/", "--prefix", "--sort-by=CREATE", "--order=DESCEND");
        add(steps, "get", "k/", "--prefix", "--sort-by=VERSION", "--order=DESCEND", "-w", "json");
        add(steps, "get", "k/", "--prefix", "--sort-by=KEY", "--order=DESCEND", "--limit=3");
        add(steps, "get", "foo", "--rev=2");
        add(steps, "get", "foo", "--rev=2", "-w", "json");
        add(steps, "get", "k/", "--prefix", "--rev=5", "--print-value-only");
        add(steps, "get", "missing");
        add(steps, "get", "missing", "-w", "json");
        // Deletes.
        add(steps, "del", "k/a"); // 9
        add(steps, "del", "missing");
        add(steps, "del", "k/", "--prefix", "--prev-kv"); // 10
        add(steps, "get", "", "--from-key", "-w", "json");
        // Transactions read from standard input, in the interactive format.
        addWithInput(steps, "value(\"foo\") = \"bar2\"\n\nput foo bar3\nget foo\n\nput foo nope\n\n", "txn"); // 11
        addWithInput(steps, "mod(\"foo\") > \"100\"\n\nput foo x\n\nget foo\n\n", "txn");
        addWithInput(steps, "version(\"foo\") = \"3\"\ncreate(\"foo\") = \"2\"\n\nput t/x 1\nput t/y 2\n\n\n",
                "txn", "-w", "json"); // 12
        addWithInput(steps, "value(\"missing\") = \"\"\n\n\ndel t/ --prefix\n\n", "txn"); // 13
        addWithInput(steps, "bogus\n\n", "txn");
        // Errors from the server.
        add(steps, "put", "--lease=1234", "x", "y");
        add(steps, "put", "", "v");
        // Compaction.
        add(steps, "compaction", "3");
        add(steps, "get", "foo", "--rev=2");
        add(steps, "get", "foo", "--rev=3", "-w", "json");
        add(steps, "get", "foo", "--rev=100");
        add(steps, "compaction", "2");
        add(steps, "compaction", "100");
        add(steps, "compaction", "5", "--physical");
        add(steps, "get", "", "--from-key", "-w", "json");
        // Maintenance and cluster.
        add(steps, "endpoint", "status", "-w", "json");
        add(steps, "endpoint", "health");
        add(steps, "member", "list", "-w", "json");
        return steps;
    }

    static List<Etcdctl.Result> run(Etcdctl etcdctl, List<Step> steps) {
        List<Etcdctl.Result> results = new ArrayList<>();
        for (Step step : steps) {
            results.add(etcdctl.runWithInput(step.stdin(), step.args().toArray(String[]::new)));
        }
        return results;
    }

    private static void add(List<Step> steps, String... args) {
        steps.add(new Step(null, List.of(args)));
    }

    private static void addWithInput(List<Step> steps, String stdin, String... args) {
        steps.add(new Step(stdin, List.of(args)));
    }
}
