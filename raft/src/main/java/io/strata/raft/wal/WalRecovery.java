package io.strata.raft.wal;

import com.google.protobuf.ByteString;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.HardState;
import java.util.List;

/**
 * What a WAL held when it was opened.
 *
 * @param metadata the bytes given to {@link Wal#create} (member and cluster identity)
 * @param hardState the last hard state appended; the default instance if none was
 * @param entries the live log after the last snapshot marker: contiguous, starting at {@code
 *     snapshotIndex + 1}, with entries that were later overwritten by a conflicting append left out
 * @param snapshotIndex the index of the last snapshot marker, 0 if none
 * @param snapshotTerm the term of the last snapshot marker, 0 if none
 */
public record WalRecovery(
    ByteString metadata, HardState hardState, List<Entry> entries, long snapshotIndex, long snapshotTerm) {}
