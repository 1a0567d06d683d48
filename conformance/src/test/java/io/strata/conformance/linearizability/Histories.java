package io.strata.conformance.linearizability;

import java.util.ArrayList;
import java.util.List;

/** Writes hand-made histories compactly: times are small integers, as on a whiteboard. */
final class Histories {
    private final List<Operation> operations = new ArrayList<>();

    Histories put(int client, long invoke, long ret, String key, String value, long revision) {
        return add(Operation.completed(client, invoke, ret, new KvInput.Put(key, value), new KvOutput.PutOk(revision)));
    }

    Histories putUnknown(int client, long invoke, String key, String value) {
        return add(Operation.unknown(client, invoke, new KvInput.Put(key, value)));
    }

    Histories get(int client, long invoke, long ret, String key, String value, long modRevision, long header) {
        return add(Operation.completed(client, invoke, ret, new KvInput.Get(key),
                new KvOutput.GetOk(value, modRevision, header)));
    }

    Histories getAbsent(int client, long invoke, long ret, String key, long header) {
        return get(client, invoke, ret, key, null, 0, header);
    }

    Histories delete(int client, long invoke, long ret, String key, long deleted, long header) {
        return add(Operation.completed(client, invoke, ret, new KvInput.Delete(key),
                new KvOutput.DeleteOk(deleted, header)));
    }

    Histories deleteUnknown(int client, long invoke, String key) {
        return add(Operation.unknown(client, invoke, new KvInput.Delete(key)));
    }

    Histories casSucceeded(int client, long invoke, long ret, String key, long expected, String value, long revision) {
        return add(Operation.completed(client, invoke, ret, new KvInput.CompareAndSet(key, expected, value),
                new KvOutput.CasOk(true, null, 0, revision)));
    }

    Histories casFailed(int client, long invoke, long ret, String key, long expected, String value,
            String seenValue, long seenModRevision, long header) {
        return add(Operation.completed(client, invoke, ret, new KvInput.CompareAndSet(key, expected, value),
                new KvOutput.CasOk(false, seenValue, seenModRevision, header)));
    }

    Histories casUnknown(int client, long invoke, String key, long expected, String value) {
        return add(Operation.unknown(client, invoke, new KvInput.CompareAndSet(key, expected, value)));
    }

    Histories add(Operation operation) {
        operations.add(operation);
        return this;
    }

    List<Operation> operations() {
        return List.copyOf(operations);
    }

    CheckResult check() {
        return LinearizabilityChecker.check(operations);
    }
}
