package io.strata.conformance.linearizability;

/**
 * One client request as the client saw it. Times are {@code System.nanoTime()} readings taken
 * just before sending and just after the answer arrived. An operation whose outcome is unknown
 * (a deadline expired, the connection broke) has no output and no return time: it may have
 * taken effect at any point after its invocation, or never.
 */
public record Operation(int clientId, long invokeNanos, long returnNanos, KvInput input, KvOutput output) {
    /** The return time of an operation whose outcome is unknown: later than everything. */
    public static final long NEVER_RETURNED = Long.MAX_VALUE;

    public Operation {
        if (input == null) {
            throw new IllegalArgumentException("an operation needs an input");
        }
        if (output == null && returnNanos != NEVER_RETURNED) {
            throw new IllegalArgumentException("an operation without output cannot have returned: " + input);
        }
        if (output != null && returnNanos < invokeNanos) {
            throw new IllegalArgumentException("returned at " + returnNanos + " before its invocation at "
                    + invokeNanos + ": " + input);
        }
    }

    public static Operation completed(int clientId, long invokeNanos, long returnNanos, KvInput input,
            KvOutput output) {
        if (output == null) {
            throw new IllegalArgumentException("a completed operation needs an output: " + input);
        }
        return new Operation(clientId, invokeNanos, returnNanos, input, output);
    }

    public static Operation unknown(int clientId, long invokeNanos, KvInput input) {
        return new Operation(clientId, invokeNanos, NEVER_RETURNED, input, null);
    }

    public boolean isUnknown() {
        return output == null;
    }

    /** True when the store's revision moved because of this operation. */
    boolean bumpedRevision() {
        if (output instanceof KvOutput.PutOk) {
            return true;
        }
        if (output instanceof KvOutput.DeleteOk deleted) {
            return deleted.deleted() > 0;
        }
        if (output instanceof KvOutput.CasOk cas) {
            return cas.succeeded();
        }
        return false;
    }

    @Override
    public String toString() {
        String returned = isUnknown() ? "?" : Long.toString(returnNanos);
        return "client " + clientId + " [" + invokeNanos + ", " + returned + "] " + input + " -> "
                + (isUnknown() ? "unknown" : output);
    }
}
