package io.strata.raft;

/** The volatile part of a member's state: it need not be persisted, only observed. */
public record SoftState(long leader, RaftRole role) {}
