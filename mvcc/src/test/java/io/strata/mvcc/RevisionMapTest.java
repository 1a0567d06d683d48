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
  void revisionsPastThePartsCapacityGoToNewPartsAndStayReadable() {
    try (RevisionMap map = RevisionMap.create(StoreFixture.SMALL_ENTRIES)) {
      int n = (int) (StoreFixture.SMALL_ENTRIES * RevisionMap.NEW_PART_AT_MULTIPLE * 4);
      for (int i = 1; i <= n; i++) {
        map.put(new Revision(i, 0), new byte[] {(byte) i, 1});
      }
      assertThat(map.partCount()).isGreaterThan(1);
      assertThat(map.recordCount()).isEqualTo(n);
      for (int i = 1; i <= n; i++) {
        assertThat(map.get(new Revision(i, 0))).isEqualTo(new byte[] {(byte) i, 1});
        assertThat(map.contains(new Revision(i, 1))).isFalse();
      }
    }
  }

  @Test
  void largeRecordsThatFillAPartBeforeItsCountDoesStartTheNextPart() {
    Random random = new Random(5);
    try (RevisionMap map = RevisionMap.create(StoreFixture.SMALL_ENTRIES)) {
      // Each record is three fragments of the largest size, far above the average the part
      // was sized for, so its segments fill long before the entry count says so.
      byte[][] records = new byte[600][];
      for (int i = 0; i < records.length; i++) {
        records[i] = new byte[2 * F + 17];
        random.nextBytes(records[i]);
        map.put(new Revision(10 + i / 3, i % 3), records[i]);
      }
      assertThat(map.partCount()).isGreaterThan(1);
      for (int i = 0; i < records.length; i++) {
        assertThat(map.get(new Revision(10 + i / 3, i % 3))).isEqualTo(records[i]);
      }
    }
  }

  @Test
  void partsThatCompactionEmptiedAreClosedAndTheRestStayReadable() {
    try (RevisionMap map = RevisionMap.create(StoreFixture.SMALL_ENTRIES)) {
      int n = (int) (StoreFixture.SMALL_ENTRIES * RevisionMap.NEW_PART_AT_MULTIPLE * 4);
      for (int i = 1; i <= n; i++) {
        map.put(new Revision(i, 0), new byte[] {(byte) i});
      }
      int parts = map.partCount();
      assertThat(map.hasEmptiedParts()).isFalse();
      int removed = n / 2;
      for (int i = 1; i <= removed; i++) {
        map.remove(new Revision(i, 0));
      }
      assertThat(map.hasEmptiedParts()).isTrue();
      map.closeEmptiedParts();
      assertThat(map.partCount()).isLessThan(parts);
      assertThat(map.hasEmptiedParts()).isFalse();
      for (int i = 1; i <= n; i++) {
        assertThat(map.get(new Revision(i, 0)))
            .isEqualTo(i <= removed ? null : new byte[] {(byte) i});
      }
      map.put(new Revision(n + 1, 0), new byte[] {7});
      assertThat(map.get(new Revision(n + 1, 0))).isEqualTo(new byte[] {7});
      assertThat(map.recordCount()).isEqualTo(n - removed + 1);
    }
  }

  @Test
  void recordsAdoptedInPlaceAreReadWhereTheyLieRemovedByMarkingAndDroppedOnceAllAreGone() {
    // Records of 3 and 40 000 bytes (larger than a fragment) at their offsets in a source.
    byte[] bytes = new byte[50_000];
    new Random(7).nextBytes(bytes);
    com.google.protobuf.ByteString source = com.google.protobuf.ByteString.copyFrom(bytes);
    InPlaceRecords.Builder restored = new InPlaceRecords.Builder();
    restored.add(new Revision(2, 0), 10, 3);
    restored.add(new Revision(3, 0), 100, 40_000);
    restored.add(new Revision(3, 1), 5, 1);
    try (RevisionMap map = RevisionMap.create(StoreFixture.SMALL_ENTRIES)) {
      map.adoptRestored(restored, source);
      assertThat(map.recordCount()).isEqualTo(3);
      assertThat(map.recordBytes()).isEqualTo(40_004 + 3L * Revision.BYTES);
      assertThat(map.get(new Revision(2, 0))).isEqualTo(java.util.Arrays.copyOfRange(bytes, 10, 13));
      assertThat(map.get(new Revision(3, 0))).isEqualTo(java.util.Arrays.copyOfRange(bytes, 100, 40_100));
      assertThat(map.contains(new Revision(3, 1))).isTrue();
      assertThat(map.contains(new Revision(2, 1))).isFalse();
      assertThat(map.get(new Revision(1, 0))).isNull();

      // Later revisions go to a map part after the adopted ones.
      map.put(new Revision(4, 0), new byte[] {9});
      assertThat(map.partCount()).isEqualTo(2);
      assertThat(map.get(new Revision(4, 0))).isEqualTo(new byte[] {9});

      map.remove(new Revision(3, 0));
      assertThat(map.get(new Revision(3, 0))).isNull();
      assertThat(map.contains(new Revision(3, 0))).isFalse();
      assertThat(map.recordCount()).isEqualTo(3);
      map.remove(new Revision(3, 0));
      assertThat(map.recordCount()).isEqualTo(3);
      assertThat(map.hasEmptiedParts()).isFalse();
      map.remove(new Revision(2, 0));
      map.remove(new Revision(3, 1));
      assertThat(map.hasEmptiedParts()).isTrue();
      map.closeEmptiedParts();
      assertThat(map.partCount()).isEqualTo(1);
      assertThat(map.recordCount()).isEqualTo(1);
      assertThat(map.recordBytes()).isEqualTo(1 + Revision.BYTES);
      assertThat(map.get(new Revision(4, 0))).isEqualTo(new byte[] {9});
    }
  }
}
