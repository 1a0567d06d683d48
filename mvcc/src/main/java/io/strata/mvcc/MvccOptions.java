package io.strata.mvcc;

import java.util.Objects;

/**
 * How to build a store. {@code expectedEntries} sizes the off-heap revision map (one entry per
 * stored revision, plus one per 32 KiB of large values); it grows past that on its own, at the
 * cost of a copy, so size it for the history you expect to keep between compactions.
 */
public record MvccOptions(long expectedEntries, LeaseLookup leases) {
  public MvccOptions {
    if (expectedEntries <= 0) {
      throw new IllegalArgumentException("expectedEntries must be positive: " + expectedEntries);
    }
    Objects.requireNonNull(leases, "leases");
  }
}
