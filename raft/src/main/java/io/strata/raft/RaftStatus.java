package io.strata.raft;

import io.strata.raft.proto.ConfState;
import java.util.Map;

/**
 * A snapshot of one member's consensus state, for monitoring and for the caller's decisions
 * (such as whether a leadership transfer is done).
 *
 * @param leader the known leader, 0 for none
 * @param progress each member's progress, keyed by id; empty unless this member is the leader
 * @param leadTransferee the member leadership is being handed to, 0 for none
 * @param confState the current membership
 */
public record RaftStatus(long id, long term, long vote, long leader, RaftRole role, long commit,
                         long applied, long lastIndex, Map<Long, PeerProgress> progress,
                         long leadTransferee, ConfState confState) {}
