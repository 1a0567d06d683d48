package io.strata.server.member;

/**
 * The one clock lease expiry is measured with: monotonic, so a wall-clock jump neither expires
 * leases early nor keeps them alive. The lessor itself never reads a clock; it is told this.
 */
public final class Monotonic {
  private Monotonic() {}

  public static long millis() {
    return System.nanoTime() / 1_000_000L;
  }
}
