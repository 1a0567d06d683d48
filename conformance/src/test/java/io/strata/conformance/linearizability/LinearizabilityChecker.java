package io.strata.conformance.linearizability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks a client history of single-key operations against etcd's key-value semantics. Because
 * every operation touches one key, the history is linearizable per key exactly when each key's
 * part is (linearizability is compositional), so each key is searched on its own, which keeps
 * the search small. The store's one global revision counter is checked separately, across keys.
 */
public final class LinearizabilityChecker {
    /** Per key; a search that explores more states than this gives up and reports the key. */
    public static final long DEFAULT_MAX_EXPLORED_STATES = 1_000_000;
    /** Per kind of check, so that one broken history does not print thousands of lines. */
    static final int MAX_REVISION_ANOMALIES = 10;

    private LinearizabilityChecker() {}

    public static CheckResult check(List<Operation> history) {
        return check(history, DEFAULT_MAX_EXPLORED_STATES);
    }

    public static CheckResult check(List<Operation> history, long maxExploredStatesPerKey) {
        Map<String, List<Operation>> byKey = new LinkedHashMap<>();
        for (Operation op : history) {
            // A read whose answer never came changed nothing and showed nothing.
            if (op.isUnknown() && op.input() instanceof KvInput.Get) {
                continue;
            }
            byKey.computeIfAbsent(op.input().key(), key -> new ArrayList<>()).add(op);
        }
        List<String> anomalies = new ArrayList<>(RevisionOrderCheck.check(history, MAX_REVISION_ANOMALIES));
        List<String> undecided = new ArrayList<>();
        RevisionOwners revisionOwners = RevisionOwners.of(history);
        for (Map.Entry<String, List<Operation>> entry : byKey.entrySet()) {
            List<String> evident = ObservedValueCheck.check(entry.getKey(), entry.getValue(), MAX_REVISION_ANOMALIES);
            if (evident.isEmpty()) {
                evident = StaleReadCheck.check(entry.getKey(), entry.getValue(), MAX_REVISION_ANOMALIES);
            }
            if (!evident.isEmpty()) {
                anomalies.addAll(evident);
                continue;
            }
            KeyHistorySearch.Outcome outcome =
                    KeyHistorySearch.search(entry.getKey(), entry.getValue(), revisionOwners, maxExploredStatesPerKey);
            if (outcome.inconclusive()) {
                undecided.add(outcome.explanation());
            } else if (!outcome.linearizable()) {
                anomalies.add(outcome.explanation());
            }
        }
        return new CheckResult(history.size(), anomalies, undecided);
    }
}
