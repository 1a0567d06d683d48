package io.strata.mvcc;

import java.util.Objects;

/**
 * How to build a store. {@code expectedEntries} sizes the off-heap revision map (one entry per
 * stored revision, plus one per 32 KiB of large values); past that, later revisions go to
 * further maps of their own, each twice the size of the one before.
 */
public record MvccOptions(long expectedEntries, LeaseLookup leases) {
  public MvccOptions {
    if (expectedEntries <= 0) {
      throw new IllegalArgumentException("expectedEntries must be positive: " + expectedEntries);
    }
    Objects.requireNonNull(leases, "leases");
  }
}
