package io.strata.raft;

/** The role a member plays in its current term. */
public enum RaftRole {
  FOLLOWER,
  /** Asking for pre-votes, without having raised its term, to learn whether it could win. */
  PRE_CANDIDATE,
  CANDIDATE,
  LEADER
}
