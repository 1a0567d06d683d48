package io.strata.conformance.linearizability;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the two commonest anomalies on one key directly, in time proportional to the history,
 * because proving them through the search means trying every order first:
 * <ul>
 *   <li>a stale read: it returned the value of an acknowledged write although some operation
 *       that finished before the read began proves the key changed after that write (a write
 *       invoked after it returned, or a read of a value whose write was invoked after it
 *       returned), and values never repeat, so the old value cannot come back;</li>
 *   <li>a lost write: it found the key absent although a put finished before the read began
 *       and no delete could have run between them.</li>
 * </ul>
 */
final class StaleReadCheck {
    private StaleReadCheck() {}

    /** An operation that proves the key changed after any write that returned before {@code changedAfterNanos}. */
    private record Witness(long changedAfterNanos, Operation op) {}

    static List<String> check(String key, List<Operation> operations, int maxAnomalies) {
        Map<String, Operation> writerOfValue = new HashMap<>();
        for (Operation op : operations) {
            String written = writtenValue(op.input());
            if (written != null) {
                writerOfValue.put(written, op);
            }
        }
        List<Witness> witnesses = new ArrayList<>();
        for (Operation op : operations) {
            if (op.isUnknown()) {
                continue;
            }
            if (op.bumpedRevision()) {
                witnesses.add(new Witness(op.invokeNanos(), op));
            }
            String seen = seenValue(op.output());
            Operation writer = seen == null ? null : writerOfValue.get(seen);
            if (writer != null) {
                witnesses.add(new Witness(writer.invokeNanos(), op));
            }
        }
        // Sorted by how late a change they prove, with running minima of their return times:
        // the earliest-finished witness to a change after time t is then one binary search away.
        witnesses.sort(Comparator.comparingLong(Witness::changedAfterNanos));
        int[] earliestReturnFrom = new int[witnesses.size() + 1];
        earliestReturnFrom[witnesses.size()] = -1;
        for (int i = witnesses.size() - 1; i >= 0; i--) {
            int later = earliestReturnFrom[i + 1];
            earliestReturnFrom[i] = later >= 0 && witnesses.get(later).op().returnNanos()
                    <= witnesses.get(i).op().returnNanos() ? later : i;
        }
        List<String> anomalies = new ArrayList<>();
        for (Operation read : operations) {
            if (anomalies.size() >= maxAnomalies || read.isUnknown() || !readsTheKey(read.output())) {
                continue;
            }
            String seen = seenValue(read.output());
            if (seen == null) {
                lostWrite(key, read, operations).ifPresent(anomalies::add);
                continue;
            }
            Operation writer = writerOfValue.get(seen);
            if (writer == null || writer.isUnknown()) {
                continue;
            }
            int first = firstChangedAfter(witnesses, writer.returnNanos());
            int witness = earliestReturnFrom[first];
            if (witness >= 0 && witnesses.get(witness).op().returnNanos() < read.invokeNanos()) {
                anomalies.add("key " + key + ": stale read; it returned the value of\n  " + writer
                        + "\nbut before it began this showed the key had changed since:\n  "
                        + witnesses.get(witness).op() + "\nthe read:\n  " + read);
            }
        }
        return anomalies;
    }

    private static java.util.Optional<String> lostWrite(String key, Operation read, List<Operation> operations) {
        // The put that began last among those finished before the read leaves the fewest
        // deletes that could have come between it and the read.
        Operation latest = null;
        for (Operation op : operations) {
            if (!op.isUnknown() && writtenValue(op.input()) != null && op.bumpedRevision()
                    && op.returnNanos() < read.invokeNanos()
                    && (latest == null || op.invokeNanos() > latest.invokeNanos())) {
                latest = op;
            }
        }
        if (latest == null) {
            return java.util.Optional.empty();
        }
        for (Operation op : operations) {
            boolean mayDelete = op.input() instanceof KvInput.Delete
                    && (op.isUnknown() || ((KvOutput.DeleteOk) op.output()).deleted() > 0);
            if (mayDelete && op.invokeNanos() < read.returnNanos() && op.returnNanos() > latest.invokeNanos()) {
                return java.util.Optional.empty();
            }
        }
        return java.util.Optional.of("key " + key + ": lost write; the key was absent for\n  " + read
                + "\nafter this write had finished, with no delete that could have run between them:\n  " + latest);
    }

    private static int firstChangedAfter(List<Witness> witnesses, long nanos) {
        int low = 0;
        int high = witnesses.size();
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (witnesses.get(mid).changedAfterNanos() > nanos) {
                high = mid;
            } else {
                low = mid + 1;
            }
        }
        return low;
    }

    private static boolean readsTheKey(KvOutput output) {
        return output instanceof KvOutput.GetOk || (output instanceof KvOutput.CasOk cas && !cas.succeeded());
    }

    private static String writtenValue(KvInput input) {
        if (input instanceof KvInput.Put put) {
            return put.value();
        }
        if (input instanceof KvInput.CompareAndSet cas) {
            return cas.value();
        }
        return null;
    }

    private static String seenValue(KvOutput output) {
        if (output instanceof KvOutput.GetOk get) {
            return get.value();
        }
        if (output instanceof KvOutput.CasOk cas && !cas.succeeded()) {
            return cas.value();
        }
        return null;
    }
}
