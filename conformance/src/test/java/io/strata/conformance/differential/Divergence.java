package io.strata.conformance.differential;

/**
 * The first place two servers disagreed: the step (index into the operation sequence), the
 * operation, and what each server answered. A watch whose delivered history differs is
 * reported at the step that opened it, with both histories.
 */
record Divergence(int step, Operation operation, boolean inWatchHistory, String reference, String candidate) {
    /** Whether another divergence is the same failure, for deciding if a shrunk run still fails. */
    boolean sameKindAs(Divergence other) {
        return other != null && other.operation.kind() == operation.kind()
                && other.inWatchHistory == inWatchHistory;
    }

    String describe() {
        return "step " + step + (inWatchHistory ? " (events delivered to this watch)" : "") + ": "
                + operation.describe() + "\n  reference: " + reference + "\n  candidate: " + candidate;
    }
}
