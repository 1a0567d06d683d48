package io.strata.conformance.linearizability;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.function.Predicate;

/**
 * Plants exactly one anomaly in a history, of a kind whose failure follows from the history
 * itself, not from luck: to show that the checker catches it, and that a recorded history is
 * detailed enough for it to be caught.
 */
public final class AnomalyPlanter {
    private final Random random;
    private final List<Operation> history;

    public AnomalyPlanter(Random random, List<Operation> history) {
        this.random = random;
        this.history = history;
    }

    public Optional<List<Operation>> readOfAValueNeverWritten() {
        List<Integer> reads = indexesWhere(op -> op.output() instanceof KvOutput.GetOk);
        if (reads.isEmpty()) {
            return Optional.empty();
        }
        int index = reads.get(random.nextInt(reads.size()));
        Operation read = history.get(index);
        KvOutput.GetOk seen = (KvOutput.GetOk) read.output();
        long modRevision = seen.value() == null ? seen.headerRevision() : seen.modRevision();
        return Optional.of(replace(index, withOutput(read,
                new KvOutput.GetOk("never-written", Math.max(1, modRevision), seen.headerRevision()))));
    }

    /**
     * A read that returns the value of a put which a second acknowledged put to the same key
     * replaced, both finished before the read began: no order can explain it.
     */
    public Optional<List<Operation>> staleRead() {
        List<Integer> reads = indexesWhere(op -> op.output() instanceof KvOutput.GetOk);
        Collections.shuffle(reads, random);
        for (int index : reads) {
            Operation read = history.get(index);
            String key = read.input().key();
            // The newer put is the latest-invoked one that finished before the read began; any
            // put that finished before the newer one began is older.
            Operation newer = null;
            for (Operation op : history) {
                if (isAcknowledgedPutTo(op, key) && op.returnNanos() < read.invokeNanos()
                        && (newer == null || op.invokeNanos() > newer.invokeNanos())) {
                    newer = op;
                }
            }
            if (newer == null) {
                continue;
            }
            for (Operation older : history) {
                if (isAcknowledgedPutTo(older, key) && older.returnNanos() < newer.invokeNanos()) {
                    KvOutput.GetOk seen = (KvOutput.GetOk) read.output();
                    String olderValue = ((KvInput.Put) older.input()).value();
                    return Optional.of(replace(index, withOutput(read, new KvOutput.GetOk(olderValue,
                            older.output().headerRevision(), seen.headerRevision()))));
                }
            }
        }
        return Optional.empty();
    }

    /** A write that began after another returned but claims that one's revision. */
    public Optional<List<Operation>> revisionReusedByALaterWrite() {
        List<Integer> writes = indexesWhere(op -> op.output() instanceof KvOutput.PutOk);
        Collections.shuffle(writes, random);
        for (int later : writes) {
            for (int earlier : writes) {
                if (history.get(earlier).returnNanos() < history.get(later).invokeNanos()) {
                    long reused = history.get(earlier).output().headerRevision();
                    return Optional.of(replace(later, withOutput(history.get(later), new KvOutput.PutOk(reused))));
                }
            }
        }
        return Optional.empty();
    }

    private static boolean isAcknowledgedPutTo(Operation op, String key) {
        return op.output() instanceof KvOutput.PutOk && op.input().key().equals(key);
    }

    private List<Integer> indexesWhere(Predicate<Operation> predicate) {
        List<Integer> indexes = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            if (predicate.test(history.get(i))) {
                indexes.add(i);
            }
        }
        return indexes;
    }

    private List<Operation> replace(int index, Operation replacement) {
        List<Operation> copy = new ArrayList<>(history);
        copy.set(index, replacement);
        return copy;
    }

    private static Operation withOutput(Operation op, KvOutput output) {
        return Operation.completed(op.clientId(), op.invokeNanos(), op.returnNanos(), op.input(), output);
    }
}
