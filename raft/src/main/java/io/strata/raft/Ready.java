package io.strata.raft;

import io.strata.raft.proto.Entry;
import io.strata.raft.proto.HardState;
import io.strata.raft.proto.Message;
import io.strata.raft.proto.Snapshot;
import java.util.List;

/**
 * A batch of work for the caller, in this order: persist {@code snapshot}, {@code hardState} and
 * {@code entries} (fsync if {@code mustSync}) and add them to the storage; then send
 * {@code messages}; then apply {@code snapshot} and {@code committedEntries} to the state machine;
 * then call {@link RaftNode#advance}. Messages must not leave before the state they depend on is
 * durable: a vote or an acknowledgement is a promise about the disk. A caller whose writes finish
 * later uses {@link RaftNode#accept} and {@link RaftNode#persisted} instead, and holds back only
 * the messages {@link RaftNode#waitsForPersistence} names.
 *
 * @param softState the leader and role, or null if unchanged since the last Ready
 * @param hardState term, vote and commit, or null if unchanged since the last Ready
 * @param readStates answers to read-index requests
 * @param entries entries to persist (they may replace a persisted tail from their first index on)
 * @param snapshot a snapshot from the leader to persist and apply, or null
 * @param committedEntries entries to apply, in order
 * @param messages messages to send to peers
 * @param mustSync whether the write must be fsynced (new entries, term or vote)
 */
public record Ready(SoftState softState, HardState hardState, List<ReadState> readStates,
                    List<Entry> entries, Snapshot snapshot, List<Entry> committedEntries,
                    List<Message> messages, boolean mustSync) {}
