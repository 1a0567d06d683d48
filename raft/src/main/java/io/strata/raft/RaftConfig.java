package io.strata.raft;

/**
 * The settings of one member's consensus core.
 *
 * @param id this member's id; never 0, which means "none" throughout
 * @param electionTicks ticks without hearing from a leader before a follower campaigns (the
 *     actual timeout is drawn from [electionTicks, 2 * electionTicks)); also the check-quorum
 *     period of a leader
 * @param heartbeatTicks ticks between a leader's heartbeats; less than electionTicks
 * @param maxSizePerMsgBytes the most entry bytes in one append message (one larger entry still
 *     goes alone), and in one Ready's committed entries
 * @param maxInflightMsgs the most appends sent to one member and not yet acknowledged
 * @param preVote whether to ask for pre-votes before raising the term
 * @param checkQuorum whether a leader steps down after an election timeout without hearing from
 *     a quorum, and followers ignore vote requests while they hear from a leader
 * @param appliedIndex the last index the state machine applied before a restart; 0 on a fresh
 *     start
 * @param maxInflightBytes the most entry bytes sent to one member and not yet acknowledged; 0 for
 *     no byte bound (the count bound still holds)
 */
public record RaftConfig(long id, int electionTicks, int heartbeatTicks, long maxSizePerMsgBytes,
                         int maxInflightMsgs, boolean preVote, boolean checkQuorum, long appliedIndex,
                         long maxInflightBytes) {
  public RaftConfig {
    if (id == 0) {
      throw new IllegalArgumentException("id must not be 0");
    }
    if (heartbeatTicks <= 0) {
      throw new IllegalArgumentException("heartbeatTicks must be positive: " + heartbeatTicks);
    }
    if (electionTicks <= heartbeatTicks) {
      throw new IllegalArgumentException(
          "electionTicks (" + electionTicks + ") must be greater than heartbeatTicks (" + heartbeatTicks + ")");
    }
    if (maxSizePerMsgBytes <= 0) {
      throw new IllegalArgumentException("maxSizePerMsgBytes must be positive: " + maxSizePerMsgBytes);
    }
    if (maxInflightMsgs <= 0) {
      throw new IllegalArgumentException("maxInflightMsgs must be positive: " + maxInflightMsgs);
    }
    if (appliedIndex < 0 || maxInflightBytes < 0) {
      throw new IllegalArgumentException("appliedIndex and maxInflightBytes must not be negative");
    }
  }

  /** A configuration whose in-flight byte bound is a full window of maximal messages. */
  public RaftConfig(long id, int electionTicks, int heartbeatTicks, long maxSizePerMsgBytes,
                    int maxInflightMsgs, boolean preVote, boolean checkQuorum, long appliedIndex) {
    this(id, electionTicks, heartbeatTicks, maxSizePerMsgBytes, maxInflightMsgs, preVote, checkQuorum,
        appliedIndex, saturatedProduct(maxSizePerMsgBytes, maxInflightMsgs));
  }

  private static long saturatedProduct(long a, long b) {
    long high = Math.multiplyHigh(a, b);
    long low = a * b;
    return (high == 0 && low >= 0) ? low : Long.MAX_VALUE;
  }
}
