package io.strata.conformance.linearizability;

/**
 * What the store answered. Revisions are etcd's: a response header's revision is the store's
 * revision when the request was applied, and a key's mod revision is the revision of the write
 * that produced its current value. An absent key is a null value with mod revision 0, which is
 * also what etcd compares a missing key's mod_revision against.
 */
public sealed interface KvOutput {
    /** The response header's revision. */
    long headerRevision();

    record PutOk(long headerRevision) implements KvOutput {}

    /** {@code value} is null when the key is absent, and then {@code modRevision} is 0. */
    record GetOk(String value, long modRevision, long headerRevision) implements KvOutput {}

    record DeleteOk(long deleted, long headerRevision) implements KvOutput {}

    /**
     * A compare-and-set's answer: when it succeeded the header revision is the put's revision;
     * when it failed, {@code value} and {@code modRevision} are what the else-branch read.
     */
    record CasOk(boolean succeeded, String value, long modRevision, long headerRevision) implements KvOutput {}
}
