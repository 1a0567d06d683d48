package io.strata.conformance.linearizability;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cheap direct evidence, checked before the search on one key: every value a read saw must have
 * been written by some put or compare-and-set on that key, invoked before the read returned,
 * and when that write was acknowledged the read must show the revision it got. A history that
 * fails here is not linearizable, and saying so plainly beats an exhaustive search that only
 * ends when it has tried every order.
 */
final class ObservedValueCheck {
    private ObservedValueCheck() {}

    static List<String> check(String key, List<Operation> operations, int maxAnomalies) {
        Map<String, Operation> writerOfValue = new HashMap<>();
        for (Operation op : operations) {
            String written = writtenValue(op.input());
            if (written != null && writerOfValue.putIfAbsent(written, op) != null) {
                throw new IllegalArgumentException("value " + written + " of key " + key
                        + " is written twice; the checker needs every written value to be unique");
            }
        }
        List<String> anomalies = new ArrayList<>();
        for (Operation reader : operations) {
            String seen = seenValue(reader.output());
            if (seen == null || anomalies.size() >= maxAnomalies) {
                continue;
            }
            long seenModRevision = seenModRevision(reader.output());
            Operation writer = writerOfValue.get(seen);
            if (writer == null) {
                anomalies.add("key " + key + ": read a value nobody wrote:\n  " + reader);
            } else if (writer.invokeNanos() > reader.returnNanos()) {
                anomalies.add("key " + key + ": read a value before its write was invoked:\n  read:  " + reader
                        + "\n  write: " + writer);
            } else if (writer.output() != null && writer.bumpedRevision()
                    && writer.output().headerRevision() != seenModRevision) {
                anomalies.add("key " + key + ": read a value at mod revision " + seenModRevision
                        + " though its write was acknowledged at revision " + writer.output().headerRevision()
                        + ":\n  read:  " + reader + "\n  write: " + writer);
            } else if (writer.output() instanceof KvOutput.CasOk cas && !cas.succeeded()) {
                anomalies.add("key " + key + ": read the value of a compare-and-set that failed:\n  read:  " + reader
                        + "\n  write: " + writer);
            }
        }
        return anomalies;
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

    private static long seenModRevision(KvOutput output) {
        return output instanceof KvOutput.GetOk get ? get.modRevision() : ((KvOutput.CasOk) output).modRevision();
    }
}
