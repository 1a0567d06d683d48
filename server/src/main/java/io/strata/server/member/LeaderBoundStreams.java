package io.strata.server.member;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The open streams whose client asked for a leader ({@code hasleader: true}), and how long this
 * member has gone without one. A member that merely lacks a leader for a moment keeps them:
 * reopening a watch costs a client far more than a refused request. Only after
 * {@link #maxLeaderlessChecks} periodic checks in a row (one an election timeout, as etcd does)
 * find no leader are they ended, so that their clients move to a member that has one.
 */
final class LeaderBoundStreams {
  /** etcd's count of consecutive leaderless election timeouts before it ends such streams. */
  static final int maxLeaderlessChecks = 3;

  private final Set<LeaderBoundCall<?, ?>> open = ConcurrentHashMap.newKeySet();
  private int leaderlessChecks;

  void add(LeaderBoundCall<?, ?> call) {
    open.add(call);
  }

  void remove(LeaderBoundCall<?, ?> call) {
    open.remove(call);
  }

  int openCount() {
    return open.size();
  }

  /**
   * One periodic look at the leader. Returns how many streams it ended: every open one once
   * enough checks in a row have found no leader, none otherwise.
   */
  synchronized int check(boolean hasLeader) {
    leaderlessChecks = hasLeader ? 0 : Math.min(leaderlessChecks + 1, maxLeaderlessChecks);
    if (leaderlessChecks < maxLeaderlessChecks) {
      return 0;
    }
    int ended = 0;
    for (LeaderBoundCall<?, ?> call : open) {
      open.remove(call);
      if (call.endForNoLeader()) {
        ended++;
      }
    }
    return ended;
  }
}
