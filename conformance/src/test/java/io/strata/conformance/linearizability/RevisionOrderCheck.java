package io.strata.conformance.linearizability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The part of linearizability that crosses keys: etcd's revision is one counter for the whole
 * store. Every acknowledged write got a revision of its own, and revisions follow real time:
 * an operation invoked after another returned saw at least that one's revision, and a write
 * invoked after it got a greater one. The per-key search cannot see this, because it checks
 * each key as if it were alone.
 */
final class RevisionOrderCheck {
    private RevisionOrderCheck() {}

    static List<String> check(List<Operation> history, int maxAnomalies) {
        List<Operation> completed = history.stream().filter(op -> !op.isUnknown()).toList();
        List<String> anomalies = new ArrayList<>();
        Map<Long, Operation> writerOfRevision = new HashMap<>();
        for (Operation op : completed) {
            if (op.bumpedRevision()) {
                Operation earlier = writerOfRevision.putIfAbsent(op.output().headerRevision(), op);
                if (earlier != null && anomalies.size() < maxAnomalies) {
                    anomalies.add("two acknowledged writes got revision " + op.output().headerRevision() + ":\n  "
                            + earlier + "\n  " + op);
                }
            }
        }
        List<Operation> byInvoke = new ArrayList<>(completed);
        byInvoke.sort(Comparator.comparingLong(Operation::invokeNanos));
        List<Operation> byReturn = new ArrayList<>(completed);
        byReturn.sort(Comparator.comparingLong(Operation::returnNanos));
        int returned = 0;
        Operation highest = null;
        for (Operation op : byInvoke) {
            while (returned < byReturn.size() && byReturn.get(returned).returnNanos() < op.invokeNanos()) {
                Operation done = byReturn.get(returned++);
                if (highest == null || done.output().headerRevision() > highest.output().headerRevision()) {
                    highest = done;
                }
            }
            if (highest == null || anomalies.size() >= maxAnomalies) {
                continue;
            }
            long floor = highest.output().headerRevision();
            long revision = op.output().headerRevision();
            if (op.bumpedRevision() ? revision <= floor : revision < floor) {
                anomalies.add((op.bumpedRevision() ? "a write" : "a read") + " got revision " + revision
                        + " though an operation that had returned before it was invoked had revision " + floor
                        + ":\n  earlier: " + highest + "\n  later:   " + op);
            }
        }
        return anomalies;
    }
}
