package io.strata.raft.sim;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Runs the deterministic cluster simulation over many seeds. A failure names its seed; rerun just
 * that one with {@code -Dstrata.sim.seed=N} (and {@code -Dstrata.sim.seeds=K} runs K seeds;
 * {@code -Dstrata.sim.verbose=true} prints one line per seed).
 */
class SimulationTest {
  private static final int DEFAULT_SEEDS = 2000;

  @Test
  void safetyHoldsUnderFaultsAndMembershipChangesAndProgressResumesOnceHealed() {
    String only = System.getProperty("strata.sim.seed");
    if (only != null) {
      runSeed(Long.parseLong(only));
      return;
    }
    int seeds = Integer.getInteger("strata.sim.seeds", DEFAULT_SEEDS);
    SimStats total = SimStats.NONE;
    for (long seed = 1; seed <= seeds; seed++) {
      total = total.plus(runSeed(seed).stats());
    }
    System.out.println("raft simulation, " + total.describe(seeds));
    // The membership part must actually happen, or the run proves less than it claims.
    if (seeds >= 100) {
      assertThat(total.confChangesApplied()).isPositive();
      assertThat(total.leaderRemovals()).isPositive();
      assertThat(total.joinersStarted()).isPositive();
      assertThat(total.overlappedWrites()).isPositive();
      assertThat(total.goneLeaderCampaigns()).isPositive();
    }
  }

  @Test
  void aSeedReplaysTheSameRun() {
    for (long seed = 1; seed <= 20; seed++) {
      Simulation first = runSeed(seed);
      Simulation second = runSeed(seed);
      assertThat(second.trace()).as("trace of seed %d", seed).isEqualTo(first.trace());
      assertThat(second.summary()).isEqualTo(first.summary());
    }
  }

  private static Simulation runSeed(long seed) {
    try {
      Simulation sim = new Simulation(seed);
      sim.run();
      if (Boolean.getBoolean("strata.sim.verbose")) {
        System.out.println(sim.summary());
      }
      return sim;
    } catch (Throwable t) {
      throw new AssertionError("simulation failed with seed " + seed
          + " (reproduce with -Dstrata.sim.seed=" + seed + "): " + t.getMessage(), t);
    }
  }
}
