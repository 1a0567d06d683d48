package io.strata.raft;

/**
 * Always-on checks of what must hold. A broken invariant in a consensus core means the log or the
 * caller is corrupt, so failing loudly is safer than carrying on.
 */
final class Invariants {
  private Invariants() {}

  static void check(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalStateException("raft invariant violated: " + String.format(format, args));
    }
  }
}
