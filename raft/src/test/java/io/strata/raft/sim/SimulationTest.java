package io.strata.raft.sim;

import org.junit.jupiter.api.Test;

/**
 * Runs the deterministic cluster simulation over many seeds. A failure names its seed; rerun just
 * that one with {@code -Dstrata.sim.seed=N} (and {@code -Dstrata.sim.seeds=K} runs K seeds).
 */
class SimulationTest {

  @Test
  void safetyHoldsUnderFaultsAndProgressResumesOnceHealed() {
    String only = System.getProperty("strata.sim.seed");
    if (only != null) {
      runSeed(Long.parseLong(only));
      return;
    }
    int seeds = Integer.getInteger("strata.sim.seeds", 500);
    for (long seed = 1; seed <= seeds; seed++) {
      runSeed(seed);
    }
  }

  private static void runSeed(long seed) {
    try {
      Simulation sim = new Simulation(seed);
      sim.run();
      if (Boolean.getBoolean("strata.sim.verbose")) {
        System.out.println(sim.summary());
      }
    } catch (Throwable t) {
      throw new AssertionError("simulation failed with seed " + seed
          + " (reproduce with -Dstrata.sim.seed=" + seed + "): " + t.getMessage(), t);
    }
  }
}
