package io.strata.mvcc;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * Revision -> record bytes, off-heap, in an in-memory Chronicle Map (never persisted: the
 * snapshot file and the raft log are the durable truth, and the map is rebuilt from them).
 *
 * <p>Chronicle Map has two hard limits that this class hides. An entry larger than what one
 * segment tier can hold is refused outright, so a record is cut into fragments of at most
 * {@link #FRAGMENT_BYTES}, each its own entry. And a map holds only so many entries beyond its
 * configured count ({@link #MAX_BLOAT_FACTOR} times, allocated as needed) before puts throw;
 * so the writer asks {@link #shouldGrow()} before each write transaction and moves the data
 * into a map twice the size, and a put that still overflows grows the map on the spot.
 *
 * <p>Entry layout. Key: {@code main:int64 | sub:int64 | fragment:int32}, big-endian. Value of
 * fragment i: bytes {@code [i * FRAGMENT_BYTES, (i + 1) * FRAGMENT_BYTES)} of the record. A
 * fragment shorter than {@link #FRAGMENT_BYTES} is the last one, so a small record is stored,
 * and read back, as it is, without a header or a copy; only a record whose length is a
 * multiple of the fragment size costs one lookup that finds nothing.
 *
 * <p>Thread-safety: one writer (it alone calls the mutators, and is the only caller of
 * {@link #prepareGrowth()}) and any number of concurrent readers of {@link #get}; the caller
 * makes sure that no reader is inside {@link #get} while {@link #install} closes the old map.
 */
final class RevisionMap implements AutoCloseable {
  static final int FRAGMENT_BYTES = 32 * 1024;
  static final long MIN_CAPACITY_ENTRIES = 1024;
  static final int AVERAGE_VALUE_BYTES = 1024;
  static final double MAX_BLOAT_FACTOR = 4.0;
  /** Growth starts once the map holds this many times its configured entries. */
  static final long GROW_AT_MULTIPLE = 2;
  private static final int KEY_BYTES = Revision.BYTES + 4;

  private volatile ChronicleMap<byte[], byte[]> map;
  private volatile long capacityEntries;
  private final AtomicLong recordBytes = new AtomicLong();
  private final AtomicLong records = new AtomicLong();
  /**
   * Map entries (fragments) written since the map was opened, minus those removed. Chronicle
   * Map's own count walks every segment, too slow to ask before each write; revisions are
   * never written twice, so counting puts is exact.
   */
  private final AtomicLong entries = new AtomicLong();
  // The most record bytes held since the map was created or the mark was reset: what etcd's
  // database file size is to its in-use size, since compaction alone never shrinks it.
  private final AtomicLong peakRecordBytes = new AtomicLong();

  private RevisionMap(long capacityEntries) {
    this.capacityEntries = Math.max(MIN_CAPACITY_ENTRIES, capacityEntries);
    this.map = openMap(this.capacityEntries);
  }

  static RevisionMap create(long expectedEntries) {
    return new RevisionMap(expectedEntries);
  }

  private static ChronicleMap<byte[], byte[]> openMap(long entries) {
    return ChronicleMap.of(byte[].class, byte[].class)
        .name("strata-revisions")
        .constantKeySizeBySample(new byte[KEY_BYTES])
        .averageValueSize(AVERAGE_VALUE_BYTES)
        .entries(entries)
        .maxBloatFactor(MAX_BLOAT_FACTOR)
        .create();
  }

  static byte[] key(Revision rev, int fragment) {
    return ByteBuffer.allocate(KEY_BYTES).putLong(rev.main()).putLong(rev.sub()).putInt(fragment)
        .array();
  }

  void put(Revision rev, byte[] record) {
    if (record.length < FRAGMENT_BYTES) {
      putEntry(key(rev, 0), record);
    } else {
      int fragments = (record.length + FRAGMENT_BYTES - 1) / FRAGMENT_BYTES;
      for (int f = 0; f < fragments; f++) {
        int from = f * FRAGMENT_BYTES;
        putEntry(key(rev, f),
            Arrays.copyOfRange(record, from, Math.min(record.length, from + FRAGMENT_BYTES)));
      }
    }
    records.incrementAndGet();
    long held = recordBytes.addAndGet(record.length + Revision.BYTES);
    peakRecordBytes.accumulateAndGet(held, Math::max);
  }

  private void putEntry(byte[] key, byte[] value) {
    entries.incrementAndGet();
    try {
      map.put(key, value);
    } catch (IllegalStateException full) {
      // Entries larger than the average filled the segments before the count did: grow now.
      // The writer holds the store's write lock here, so no reader is inside the old map.
      install(prepareGrowth());
      map.put(key, value);
    }
  }

  /** The record at {@code rev}, or null when there is none. */
  byte[] get(Revision rev) {
    ChronicleMap<byte[], byte[]> m = map;
    byte[] part = m.get(key(rev, 0));
    if (part == null || part.length < FRAGMENT_BYTES) {
      return part;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(4 * FRAGMENT_BYTES);
    for (int f = 1; part != null; f++) {
      out.write(part, 0, part.length);
      part = part.length < FRAGMENT_BYTES ? null : m.get(key(rev, f));
    }
    return out.toByteArray();
  }

  boolean contains(Revision rev) {
    return map.containsKey(key(rev, 0));
  }

  void remove(Revision rev) {
    byte[] part = map.remove(key(rev, 0));
    if (part == null) {
      return;
    }
    long length = 0;
    for (int f = 1; part != null; f++) {
      entries.decrementAndGet();
      length += part.length;
      part = part.length < FRAGMENT_BYTES ? null : map.remove(key(rev, f));
    }
    records.decrementAndGet();
    recordBytes.addAndGet(-(length + Revision.BYTES));
  }

  long recordCount() {
    return records.get();
  }

  /** Bytes of the records stored, keys included: what a compacted, defragmented store needs. */
  long recordBytes() {
    return recordBytes.get();
  }

  long peakRecordBytes() {
    return peakRecordBytes.get();
  }

  void resetPeak() {
    peakRecordBytes.set(recordBytes.get());
  }

  /**
   * Off-heap bytes the map has reserved. Mostly address space: the operating system backs
   * only the pages entries have touched.
   */
  long allocatedBytes() {
    return map.offHeapMemoryUsed();
  }

  long capacityEntries() {
    return capacityEntries;
  }

  boolean shouldGrow() {
    return entries.get() >= capacityEntries * GROW_AT_MULTIPLE;
  }

  /** A bigger map holding a copy of every entry; the current map stays in use meanwhile. */
  Growth prepareGrowth() {
    ChronicleMap<byte[], byte[]> old = map;
    long newCapacity = Math.max(capacityEntries * 2, old.longSize() * 2);
    ChronicleMap<byte[], byte[]> bigger = openMap(newCapacity);
    old.forEach(bigger::put);
    return new Growth(bigger, newCapacity);
  }

  /** Replaces the map by its grown copy; no reader may be inside {@link #get} meanwhile. */
  void install(Growth growth) {
    ChronicleMap<byte[], byte[]> old = map;
    Invariants.check(growth.map().longSize() == old.longSize(),
        "grown map has %d entries, the map has %d", growth.map().longSize(), old.longSize());
    map = growth.map();
    entries.set(growth.map().longSize());
    capacityEntries = growth.capacityEntries();
    old.close();
  }

  /** A grown copy of the map, waiting to be installed. */
  record Growth(ChronicleMap<byte[], byte[]> map, long capacityEntries) {}

  @Override
  public void close() {
    map.close();
  }
}
