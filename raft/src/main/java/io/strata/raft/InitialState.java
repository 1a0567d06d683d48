package io.strata.raft;

import io.strata.raft.proto.ConfState;
import io.strata.raft.proto.HardState;

/** What a member restarts from: its last persisted hard state and membership. */
public record InitialState(HardState hardState, ConfState confState) {}
