package io.strata.raft;

/** The leader's bookkeeping of one member's log and how to send to it. */
final class Progress {
  // Invariant: match < next.
  long match;
  long next;
  ProgressState state = ProgressState.PROBE;
  // The snapshot index being installed, while in SNAPSHOT.
  long pendingSnapshot;
  // Whether the member was heard from since the last check-quorum round.
  boolean recentActive;
  // In PROBE: an append is outstanding, so wait for its answer (or a heartbeat response).
  boolean probeSent;
  boolean learner;
  final Inflights inflights;

  Progress(long match, long next, Inflights inflights, boolean learner) {
    this.match = match;
    this.next = next;
    this.inflights = inflights;
    this.learner = learner;
  }

  private void resetState(ProgressState newState) {
    probeSent = false;
    pendingSnapshot = 0;
    state = newState;
    inflights.reset();
  }

  void becomeProbe() {
    if (state == ProgressState.SNAPSHOT) {
      long pending = pendingSnapshot;
      resetState(ProgressState.PROBE);
      next = Math.max(match + 1, pending + 1);
    } else {
      resetState(ProgressState.PROBE);
      next = match + 1;
    }
  }

  void becomeReplicate() {
    resetState(ProgressState.REPLICATE);
    next = match + 1;
  }

  void becomeSnapshot(long snapshotIndex) {
    resetState(ProgressState.SNAPSHOT);
    pendingSnapshot = snapshotIndex;
  }

  /** Records that the member's log matches ours up to {@code index}; false if that is old news. */
  boolean maybeUpdate(long index) {
    boolean updated = false;
    if (match < index) {
      match = index;
      updated = true;
      probeSent = false;
    }
    next = Math.max(next, index + 1);
    return updated;
  }

  void optimisticUpdate(long lastSent) {
    next = lastSent + 1;
  }

  /**
   * Handles a rejected append of the entries after {@code rejected}; {@code matchHint} is the
   * highest index at which the logs may agree. Returns false if the rejection is stale.
   */
  boolean maybeDecrTo(long rejected, long matchHint) {
    if (state == ProgressState.REPLICATE) {
      if (rejected <= match) {
        return false;
      }
      next = match + 1;
      return true;
    }
    // Probes go out one at a time, so a rejection of anything but the last probe is stale.
    if (next - 1 != rejected) {
      return false;
    }
    next = Math.max(Math.min(rejected, matchHint + 1), 1);
    probeSent = false;
    return true;
  }

  boolean paused() {
    return switch (state) {
      case PROBE -> probeSent;
      case REPLICATE -> inflights.full();
      case SNAPSHOT -> true;
    };
  }

  PeerProgress view() {
    return new PeerProgress(match, next, state, recentActive, learner, pendingSnapshot, inflights.count());
  }
}
