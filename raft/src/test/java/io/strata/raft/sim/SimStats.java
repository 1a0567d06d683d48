package io.strata.raft.sim;

/**
 * What one simulated run exercised; {@link #plus} adds runs up into totals over many seeds.
 *
 * @param seedsChangingMembership 1 if the seed had a leader accept a membership change (in a
 *     total: the number of such seeds)
 * @param confChangesProposed conf changes a leader accepted (some are lost with their leader)
 * @param confChangesApplied distinct conf changes that were committed and applied
 * @param leaderRemovals applied changes that removed the leader which proposed them
 * @param joinersStarted brand-new members started with an empty log
 * @param membersStopped removed members that were stopped
 * @param refusedWhilePending proposals the leader refused because an earlier change was pending
 * @param removedLeaderTerms terms led by a removed member handing its log to the remaining voters
 * @param seedsWithAsyncWrites 1 if members finished writes after accepting their Readies
 * @param overlappedWrites Readies accepted while an earlier write was still under way
 * @param goneLeaderCampaigns campaigns started at once because a follower was told its leader's
 *     process was gone (rightly, after a crash, or wrongly)
 */
record SimStats(int seedsChangingMembership, int confChangesProposed, int confChangesApplied, int leaderRemovals,
                int joinersStarted, int membersStopped, int refusedWhilePending, int removedLeaderTerms,
                int crashes, int snapshotsInstalled, int seedsWithAsyncWrites, int overlappedWrites,
                int goneLeaderCampaigns) {

  SimStats(boolean changedMembership, int confChangesProposed, int confChangesApplied, int leaderRemovals,
           int joinersStarted, int membersStopped, int refusedWhilePending, int removedLeaderTerms, int crashes,
           int snapshotsInstalled, boolean asyncWrites, int overlappedWrites, int goneLeaderCampaigns) {
    this(changedMembership && confChangesProposed > 0 ? 1 : 0, confChangesProposed, confChangesApplied,
        leaderRemovals, joinersStarted, membersStopped, refusedWhilePending, removedLeaderTerms, crashes,
        snapshotsInstalled, asyncWrites ? 1 : 0, overlappedWrites, goneLeaderCampaigns);
  }

  static final SimStats NONE = new SimStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  SimStats plus(SimStats o) {
    return new SimStats(seedsChangingMembership + o.seedsChangingMembership,
        confChangesProposed + o.confChangesProposed, confChangesApplied + o.confChangesApplied,
        leaderRemovals + o.leaderRemovals, joinersStarted + o.joinersStarted, membersStopped + o.membersStopped,
        refusedWhilePending + o.refusedWhilePending, removedLeaderTerms + o.removedLeaderTerms,
        crashes + o.crashes, snapshotsInstalled + o.snapshotsInstalled,
        seedsWithAsyncWrites + o.seedsWithAsyncWrites, overlappedWrites + o.overlappedWrites,
        goneLeaderCampaigns + o.goneLeaderCampaigns);
  }

  String describe(int seeds) {
    return String.format("%d seeds: %d changed membership (%d conf changes accepted, %d applied, %d of them "
        + "removed their own leader; %d members joined empty, %d removed members stopped, %d changes refused "
        + "while one was pending, %d terms led by a removed member); %d crashes, %d snapshots installed; "
        + "%d with writes finishing after their Ready (%d Readies taken while a write was under way); "
        + "%d campaigns on a report that the leader was gone", seeds,
        seedsChangingMembership, confChangesProposed, confChangesApplied, leaderRemovals, joinersStarted,
        membersStopped, refusedWhilePending, removedLeaderTerms, crashes, snapshotsInstalled,
        seedsWithAsyncWrites, overlappedWrites, goneLeaderCampaigns);
  }
}
