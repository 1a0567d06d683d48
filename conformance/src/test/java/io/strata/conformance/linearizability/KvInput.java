package io.strata.conformance.linearizability;

/**
 * What a client asked of the key-value store. Every request touches exactly one key, which is
 * what lets the checker split a history by key and search each part on its own.
 */
public sealed interface KvInput {
    String key();

    /** Put(key, value): the value is unique across a history, so a read names the write it saw. */
    record Put(String key, String value) implements KvInput {}

    /** A linearizable single-key range read. */
    record Get(String key) implements KvInput {}

    record Delete(String key) implements KvInput {}

    /** Txn: If mod_revision(key) == expectedModRevision Then Put(key, value) Else Get(key). */
    record CompareAndSet(String key, long expectedModRevision, String value) implements KvInput {}
}
