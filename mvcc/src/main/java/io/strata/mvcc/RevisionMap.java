package io.strata.mvcc;

import com.google.protobuf.ByteString;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import net.openhft.chronicle.map.ChronicleMap;

/**
 * Revision -> record bytes, off-heap, in in-memory Chronicle Maps (never persisted: the
 * snapshot file and the raft log are the durable truth, and the maps are rebuilt from them).
 *
 * <p>Chronicle Map has two hard limits that this class hides. An entry larger than what one
 * segment tier can hold is refused outright, so a record is cut into fragments of at most
 * {@link #FRAGMENT_BYTES}, each its own entry. And a map holds only so many entries beyond its
 * configured count ({@link #MAX_BLOAT_FACTOR} times) before puts throw. Moving a full map into a
 * bigger one would stop the writer for as long as the copy takes (seconds for a few million
 * revisions), so instead the revisions are split into parts by revision: when the newest part
 * holds {@link #NEW_PART_AT_MULTIPLE} times its configured entries, or refuses a put, the
 * revisions from there on go to a new, bigger part. Revisions only grow, so each part holds one
 * range of them and a lookup goes to exactly one part. A part that compaction has emptied is
 * closed by {@link #closeEmptiedParts()}. A store restored from a snapshot read in place starts
 * with a first part that is no map at all: the snapshot's records where they lie
 * ({@link #adoptRestored}).
 *
 * <p>Entry layout. Key: {@code main:int64 | sub:int64 | fragment:int32}, big-endian. Value of
 * fragment i: bytes {@code [i * FRAGMENT_BYTES, (i + 1) * FRAGMENT_BYTES)} of the record. A
 * fragment shorter than {@link #FRAGMENT_BYTES} is the last one, so a small record is stored,
 * and read back, as it is, without a header or a copy; only a record whose length is a
 * multiple of the fragment size costs one lookup that finds nothing.
 *
 * <p>Thread-safety: one writer (it alone calls the mutators; it puts revisions in increasing
 * order) and any number of concurrent readers of {@link #get}; the caller makes sure that no
 * reader is inside {@link #get} while {@link #closeEmptiedParts()} runs.
 */
final class RevisionMap implements AutoCloseable {
  static final int FRAGMENT_BYTES = 32 * 1024;
  static final long MIN_CAPACITY_ENTRIES = 1024;
  /** Parts stop doubling here: a part's address space is reserved up front. */
  static final long MAX_PART_CAPACITY_ENTRIES = 16L << 20;
  static final int AVERAGE_VALUE_BYTES = 1024;
  static final double MAX_BLOAT_FACTOR = 4.0;
  /** A new part starts once the newest holds this many times its configured entries. */
  static final long NEW_PART_AT_MULTIPLE = 2;
  private static final int KEY_BYTES = Revision.BYTES + 4;

  /** The revisions from {@code first} up to the next part's first. */
  private abstract static class Part {
    final Revision first;

    Part(Revision first) {
      this.first = first;
    }

    abstract byte[] get(Revision rev);

    abstract boolean contains(Revision rev);

    /** Removes the record at {@code rev}; returns its length, or -1 when there was none. */
    abstract long remove(Revision rev);

    /** Whether compaction removed everything the part held. */
    abstract boolean emptied();

    abstract long allocatedBytes();

    abstract void close();
  }

  /** Revisions in an off-heap map of their own; the newest part is always one. */
  private static final class MapPart extends Part {
    final long capacityEntries;
    final ChronicleMap<byte[], byte[]> map;
    /**
     * Map entries (fragments) in the part. Chronicle Map's own count walks every segment, too
     * slow to ask before each write; revisions are never written twice, so counting is exact.
     */
    final AtomicLong entries = new AtomicLong();

    MapPart(Revision first, long capacityEntries) {
      this(first, capacityEntries, openMap(capacityEntries));
    }

    MapPart(Revision first, long capacityEntries, ChronicleMap<byte[], byte[]> map) {
      super(first);
      this.capacityEntries = capacityEntries;
      this.map = map;
    }

    boolean full() {
      return entries.get() >= capacityEntries * NEW_PART_AT_MULTIPLE;
    }

    /** Puts every fragment of the record, or none of them when the part is full. */
    boolean putFragments(Revision rev, byte[] record) {
      int fragments = Math.max(1, (record.length + FRAGMENT_BYTES - 1) / FRAGMENT_BYTES);
      for (int f = 0; f < fragments; f++) {
        byte[] value = fragments == 1 ? record : Arrays.copyOfRange(record, f * FRAGMENT_BYTES,
            Math.min(record.length, (f + 1) * FRAGMENT_BYTES));
        try {
          map.put(key(rev, f), value);
        } catch (IllegalStateException full) {
          for (int g = 0; g < f; g++) {
            map.remove(key(rev, g));
          }
          entries.addAndGet(-f);
          return false;
        }
        entries.incrementAndGet();
      }
      return true;
    }

    @Override
    byte[] get(Revision rev) {
      byte[] piece = map.get(key(rev, 0));
      if (piece == null || piece.length < FRAGMENT_BYTES) {
        return piece;
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream(4 * FRAGMENT_BYTES);
      for (int f = 1; piece != null; f++) {
        out.write(piece, 0, piece.length);
        piece = piece.length < FRAGMENT_BYTES ? null : map.get(key(rev, f));
      }
      return out.toByteArray();
    }

    @Override
    boolean contains(Revision rev) {
      return map.containsKey(key(rev, 0));
    }

    @Override
    long remove(Revision rev) {
      byte[] piece = map.remove(key(rev, 0));
      if (piece == null) {
        return -1;
      }
      long length = 0;
      for (int f = 1; piece != null; f++) {
        entries.decrementAndGet();
        length += piece.length;
        piece = piece.length < FRAGMENT_BYTES ? null : map.remove(key(rev, f));
      }
      return length;
    }

    @Override
    boolean emptied() {
      return entries.get() == 0;
    }

    @Override
    long allocatedBytes() {
      return map.offHeapMemoryUsed();
    }

    @Override
    void close() {
      map.close();
    }
  }

  /** The records of a restored snapshot, read where they are (see {@link InPlaceRecords}). */
  private static final class InPlacePart extends Part {
    final InPlaceRecords records;

    InPlacePart(Revision first, InPlaceRecords records) {
      super(first);
      this.records = records;
    }

    @Override
    byte[] get(Revision rev) {
      return records.get(rev);
    }

    @Override
    boolean contains(Revision rev) {
      return records.contains(rev);
    }

    @Override
    long remove(Revision rev) {
      return records.remove(rev);
    }

    @Override
    boolean emptied() {
      return records.live() == 0;
    }

    @Override
    long allocatedBytes() {
      return records.sourceBytes();
    }

    @Override
    void close() {
      // The source is released with the last reference to it.
    }
  }

  // Ordered by first revision; replaced as a whole, so a reader sees one consistent list.
  private volatile Part[] parts;
  private final AtomicLong recordBytes = new AtomicLong();
  private final AtomicLong records = new AtomicLong();
  // The most record bytes held since the map was created or the mark was reset: what etcd's
  // database file size is to its in-use size, since compaction alone never shrinks it.
  private final AtomicLong peakRecordBytes = new AtomicLong();

  private RevisionMap(long capacityEntries) {
    this.parts = new Part[] {
        new MapPart(new Revision(0, 0), Math.max(MIN_CAPACITY_ENTRIES, capacityEntries))};
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
    Part[] ps = parts;
    MapPart part = (MapPart) ps[ps.length - 1];
    Invariants.check(rev.compareTo(part.first) >= 0,
        "revision %s put after the part from %s began", rev, part.first);
    if (part.full()) {
      part = addPart(rev, part);
    }
    if (!part.putFragments(rev, record)) {
      // Records larger than the average filled the part's segments before the count did.
      part = addPart(rev, part);
      Invariants.check(part.putFragments(rev, record), "a new part refused revision %s", rev);
    }
    records.incrementAndGet();
    long held = recordBytes.addAndGet(record.length + Revision.BYTES);
    peakRecordBytes.accumulateAndGet(held, Math::max);
  }

  /**
   * Takes the records of a restored snapshot as they are, before any put: the map then holds
   * exactly them, and later revisions go to the map part as usual.
   */
  void adoptRestored(InPlaceRecords.Builder restored, ByteString source) {
    Part[] ps = parts;
    Invariants.check(ps.length == 1 && records.get() == 0, "restored records adopted by a map that holds some");
    if (restored.count() == 0) {
      return;
    }
    MapPart empty = (MapPart) ps[0];
    Revision last = restored.last();
    parts = new Part[] {new InPlacePart(new Revision(0, 0), restored.build(source)),
        new MapPart(new Revision(last.main(), last.sub() + 1), empty.capacityEntries, empty.map)};
    records.addAndGet(restored.count());
    long held = recordBytes.addAndGet(restored.bytes() + (long) restored.count() * Revision.BYTES);
    peakRecordBytes.accumulateAndGet(held, Math::max);
  }

  private MapPart addPart(Revision first, MapPart newest) {
    MapPart part = new MapPart(first, Math.min(MAX_PART_CAPACITY_ENTRIES, newest.capacityEntries * 2));
    Part[] ps = parts;
    Part[] grown = Arrays.copyOf(ps, ps.length + 1);
    grown[ps.length] = part;
    parts = grown;
    return part;
  }

  /** The part that holds {@code rev}, if any does. */
  private static Part partOf(Part[] ps, Revision rev) {
    for (int i = ps.length - 1; i >= 0; i--) {
      if (rev.compareTo(ps[i].first) >= 0) {
        return ps[i];
      }
    }
    return null;
  }

  /** The record at {@code rev}, or null when there is none. */
  byte[] get(Revision rev) {
    Part part = partOf(parts, rev);
    return part == null ? null : part.get(rev);
  }

  boolean contains(Revision rev) {
    Part part = partOf(parts, rev);
    return part != null && part.contains(rev);
  }

  void remove(Revision rev) {
    Part part = partOf(parts, rev);
    if (part == null) {
      return;
    }
    long length = part.remove(rev);
    if (length < 0) {
      return;
    }
    records.decrementAndGet();
    recordBytes.addAndGet(-(length + Revision.BYTES));
  }

  /** Whether {@link #closeEmptiedParts()} has anything to close. */
  boolean hasEmptiedParts() {
    Part[] ps = parts;
    for (int i = 0; i < ps.length - 1; i++) {
      if (ps[i].emptied()) {
        return true;
      }
    }
    return false;
  }

  /**
   * Closes the parts, other than the newest, that hold nothing any more: compaction removed
   * every revision in their range. Lookups in that range find nothing either way. No reader
   * may be inside {@link #get} meanwhile.
   */
  void closeEmptiedParts() {
    Part[] ps = parts;
    List<Part> kept = new ArrayList<>(ps.length);
    List<Part> emptied = new ArrayList<>();
    for (int i = 0; i < ps.length; i++) {
      (i < ps.length - 1 && ps[i].emptied() ? emptied : kept).add(ps[i]);
    }
    if (emptied.isEmpty()) {
      return;
    }
    parts = kept.toArray(new Part[0]);
    for (Part p : emptied) {
      p.close();
    }
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
   * Off-heap bytes the maps have reserved. Mostly address space: the operating system backs
   * only the pages entries have touched.
   */
  long allocatedBytes() {
    long bytes = 0;
    for (Part p : parts) {
      bytes += p.allocatedBytes();
    }
    return bytes;
  }

  int partCount() {
    return parts.length;
  }

  @Override
  public void close() {
    for (Part p : parts) {
      p.close();
    }
  }
}
