package io.strata.raft;

/** How the leader currently sends entries to one follower. */
public enum ProgressState {
  /** The follower's log position is unknown: one append at a time until one is accepted. */
  PROBE,
  /** The follower accepts appends: stream them optimistically, bounded by the in-flight window. */
  REPLICATE,
  /** The follower needs entries the leader has compacted: a snapshot is on its way. */
  SNAPSHOT
}
