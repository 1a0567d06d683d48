package io.strata.conformance.linearizability;

import java.util.List;

/**
 * The verdict on a history: each anomaly is a readable explanation with the operations that
 * show it; a key whose search exceeded its budget is listed as undecided, which is not a pass.
 */
public record CheckResult(int operations, List<String> anomalies, List<String> undecided) {
    public CheckResult {
        anomalies = List.copyOf(anomalies);
        undecided = List.copyOf(undecided);
    }

    public boolean isLinearizable() {
        return anomalies.isEmpty() && undecided.isEmpty();
    }

    /** Everything wrong, for an assertion message. */
    public String report() {
        if (isLinearizable()) {
            return operations + " operations, linearizable";
        }
        StringBuilder text = new StringBuilder();
        text.append(operations).append(" operations, ").append(anomalies.size()).append(" anomalies, ")
                .append(undecided.size()).append(" undecided keys\n");
        anomalies.forEach(anomaly -> text.append(anomaly).append('\n'));
        undecided.forEach(key -> text.append(key).append('\n'));
        return text.toString();
    }
}
