package io.strata.raft;

import io.strata.raft.proto.ConfState;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The membership (voters and learners), the progress of each member, and the votes of the
 * current election. Sorted collections keep every iteration, and so every message the core
 * emits, in a deterministic order.
 */
final class ProgressTracker {
  enum VoteResult { PENDING, LOST, WON }

  private final int maxInflightMsgs;
  private final long maxInflightBytes;
  final TreeSet<Long> voters = new TreeSet<>();
  final TreeSet<Long> learners = new TreeSet<>();
  final TreeMap<Long, Progress> progress = new TreeMap<>();
  private final Map<Long, Boolean> votes = new HashMap<>();

  ProgressTracker(int maxInflightMsgs, long maxInflightBytes) {
    this.maxInflightMsgs = maxInflightMsgs;
    this.maxInflightBytes = maxInflightBytes;
  }

  Inflights newInflights() {
    return new Inflights(maxInflightMsgs, maxInflightBytes);
  }

  boolean isSingleton() {
    return voters.size() == 1;
  }

  ConfState confState() {
    return ConfState.newBuilder().addAllVoters(voters).addAllLearners(learners).build();
  }

  /** The highest index that a majority of voters hold; 0 when there are no voters. */
  long committedIndex() {
    int n = voters.size();
    if (n == 0) {
      return 0;
    }
    long[] matches = new long[n];
    int i = 0;
    for (long id : voters) {
      Progress pr = progress.get(id);
      matches[i++] = pr == null ? 0 : pr.match;
    }
    Arrays.sort(matches);
    return matches[n - (n / 2 + 1)];
  }

  void resetVotes() {
    votes.clear();
  }

  /** Records {@code id}'s vote (the first one counts) and returns the election's state. */
  VoteResult recordVote(long id, boolean granted) {
    votes.putIfAbsent(id, granted);
    return voteResult(votes);
  }

  int grantedVotes() {
    int granted = 0;
    for (long id : voters) {
      if (Boolean.TRUE.equals(votes.get(id))) {
        granted++;
      }
    }
    return granted;
  }

  /** The outcome among voters of yes/no answers in {@code answers}; absent voters are pending. */
  VoteResult voteResult(Map<Long, Boolean> answers) {
    if (voters.isEmpty()) {
      // An empty configuration cannot elect anyone; treat it as lost rather than vacuously won.
      return VoteResult.LOST;
    }
    int granted = 0;
    int missing = 0;
    for (long id : voters) {
      Boolean v = answers.get(id);
      if (v == null) {
        missing++;
      } else if (v) {
        granted++;
      }
    }
    int quorum = voters.size() / 2 + 1;
    if (granted >= quorum) {
      return VoteResult.WON;
    }
    if (granted + missing >= quorum) {
      return VoteResult.PENDING;
    }
    return VoteResult.LOST;
  }

  /** Whether a quorum of voters was heard from recently (the leader counts itself). */
  boolean quorumActive() {
    Map<Long, Boolean> active = new HashMap<>();
    for (long id : voters) {
      Progress pr = progress.get(id);
      if (pr != null) {
        active.put(id, pr.recentActive);
      }
    }
    return voteResult(active) == VoteResult.WON;
  }
}
