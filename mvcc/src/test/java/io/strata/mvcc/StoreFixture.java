package io.strata.mvcc;

import java.util.Set;

/**
 * Stores for tests. The first Chronicle Map of a JVM costs a second or two (it generates and
 * compiles classes); later maps of the same shape open in milliseconds, so tests open small
 * stores freely but close each one.
 */
final class StoreFixture {
  static final Set<Long> LEASES = Set.of(1L, 2L, 3L);
  static final long SMALL_ENTRIES = 1024;

  private StoreFixture() {}

  static MvccOptions options() {
    return new MvccOptions(SMALL_ENTRIES, LEASES::contains);
  }

  static MvccStore open() {
    return MvccStore.open(options());
  }
}
