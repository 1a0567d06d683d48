/**
 * The multi-version revision store, with etcd's KV semantics.
 *
 * <p>The public surface: {@link io.strata.mvcc.MvccStore} (Range, Put, DeleteRange, Txn,
 * Compact, history for watches, snapshots, HashKV, sizes), its options
 * {@link io.strata.mvcc.MvccOptions} and {@link io.strata.mvcc.LeaseLookup}, the events it
 * publishes ({@link io.strata.mvcc.RevisionListener}, {@link io.strata.mvcc.EventBatch}), its
 * errors ({@link io.strata.mvcc.KvException}, {@link io.strata.mvcc.KvError}) and the request
 * checks the gRPC layer runs before proposing ({@link io.strata.mvcc.KvRequestValidator}).
 *
 * <p>Inside: {@code TreeIndex} (ordered keys) of {@code KeyIndex} (a key's generations of
 * revisions) says which revision holds a key at a revision; {@code RevisionMap} (off-heap,
 * in-memory Chronicle Map) holds each revision's record; {@code WriteTxn} is one write
 * transaction; {@code RangeOp}, {@code TxnPath} and {@code KvOps} are etcd's apply-layer rules;
 * {@code SnapshotFormat} and {@code KvHasher} turn the state into bytes and a hash.
 */
package io.strata.mvcc;
