package io.strata.mvcc;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class RevisionMapTest {
  private static final int F = RevisionMap.FRAGMENT_BYTES;

  @Test
  void recordsOfEveryLengthAroundTheFragmentSizeRoundTrip() {
    int[] lengths = {1, 100, F - 1, F, F + 1, 2 * F, 3 * F + 5};
    Random random = new Random(3);
    try (RevisionMap map = RevisionMap.create(StoreFixture.SMALL_ENTRIES)) {
      byte[][] records = new byte[lengths.length][];
      for (int i = 0; i < lengths.length; i++) {
        records[i] = new byte[lengths[i]];
        random.nextBytes(records[i]);
        map.put(new Revision(2, i), records[i]);
      }
      for (int i = 0; i < lengths.length; i++) {
        assertThat(map.get(new Revision(2, i))).as("length %d", lengths[i])
            .isEqualTo(records[i]);
      }
      assertThat(map.get(new Revision(3, 0))).isNull();
      assertThat(map.recordCount()).isEqualTo(lengths.length);
      for (int i = 0; i < lengths.length; i++) {
        map.remove(new Revision(2, i));
        assertThat(map.get(new Revision(2, i))).isNull();
      }
      assertThat(map.recordCount()).isZero();
      assertThat(map.recordBytes()).isZero();
    }
  }

  @Test
  void growthKeepsEveryEntry() {
    try (RevisionMap map = RevisionMap.create(StoreFixture.SMALL_ENTRIES)) {
      int n = (int) (StoreFixture.SMALL_ENTRIES * RevisionMap.GROW_AT_MULTIPLE);
      for (int i = 0; i < n; i++) {
        map.put(new Revision(i, 0), new byte[] {(byte) i, 1});
      }
      assertThat(map.shouldGrow()).isTrue();
      map.install(map.prepareGrowth());
      assertThat(map.shouldGrow()).isFalse();
      assertThat(map.capacityEntries()).isGreaterThan(StoreFixture.SMALL_ENTRIES);
      for (int i = 0; i < n; i++) {
        assertThat(map.get(new Revision(i, 0))).isEqualTo(new byte[] {(byte) i, 1});
      }
    }
  }
}
