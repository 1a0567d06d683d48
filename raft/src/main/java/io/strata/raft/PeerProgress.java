package io.strata.raft;

/** The leader's view of one member's log, as reported by {@link RaftNode#status()}. */
public record PeerProgress(long match, long next, ProgressState state, boolean recentActive,
                           boolean learner, long pendingSnapshot, int inflightMsgs) {}
