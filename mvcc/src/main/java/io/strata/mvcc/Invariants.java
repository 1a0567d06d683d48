package io.strata.mvcc;

/**
 * Always-on checks of conditions that hold unless the store itself is broken. They are not Java
 * {@code assert}s: a store that continues after its index and its revision map disagree would
 * hand out wrong data to every member applying the same log.
 */
final class Invariants {
  private Invariants() {}

  static void check(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalStateException("mvcc invariant violated: " + String.format(format, args));
    }
  }
}
