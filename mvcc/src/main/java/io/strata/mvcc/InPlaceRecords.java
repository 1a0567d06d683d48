package io.strata.mvcc;

import com.google.protobuf.ByteString;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The records of a restored snapshot, left where they are in the snapshot's bytes (a mapped
 * snapshot file, usually) rather than copied into a map: revision -> where its record starts and
 * how long it is, in revision order. Restoring then costs reading the records once to index
 * them, not writing each one again. Compaction removes records by marking them; nothing is
 * ever added.
 *
 * <p>Thread-safety: one writer calls {@link #remove}; any number of readers call {@link #get}
 * and {@link #contains} meanwhile.
 */
final class InPlaceRecords {
  private final ByteString source;
  private final long[] mains;
  private final long[] subs;
  private final long[] offsets;
  private final int[] lengths;
  private final AtomicLongArray removed;
  private final AtomicLong live;

  private InPlaceRecords(ByteString source, long[] mains, long[] subs, long[] offsets, int[] lengths) {
    this.source = source;
    this.mains = mains;
    this.subs = subs;
    this.offsets = offsets;
    this.lengths = lengths;
    this.removed = new AtomicLongArray((mains.length + 63) / 64);
    this.live = new AtomicLong(mains.length);
  }

  /** Collects the records' places while a restore reads them, in increasing revision order. */
  static final class Builder {
    private long[] mains = new long[1024];
    private long[] subs = new long[1024];
    private long[] offsets = new long[1024];
    private int[] lengths = new int[1024];
    private int count;
    private long bytes;

    void add(Revision rev, long offset, int length) {
      Invariants.check(count == 0 || rev.compareTo(new Revision(mains[count - 1], subs[count - 1])) > 0,
          "revision %s added out of order", rev);
      if (count == mains.length) {
        int grown = Math.max(1024, count + (count >> 1));
        mains = Arrays.copyOf(mains, grown);
        subs = Arrays.copyOf(subs, grown);
        offsets = Arrays.copyOf(offsets, grown);
        lengths = Arrays.copyOf(lengths, grown);
      }
      mains[count] = rev.main();
      subs[count] = rev.sub();
      offsets[count] = offset;
      lengths[count] = length;
      count++;
      bytes += length;
    }

    int count() {
      return count;
    }

    /** Record bytes added, revisions not counted. */
    long bytes() {
      return bytes;
    }

    /** The revision added last; only when one was. */
    Revision last() {
      return new Revision(mains[count - 1], subs[count - 1]);
    }

    /** The records, read from {@code source}: the bytes the offsets given point into. */
    InPlaceRecords build(ByteString source) {
      return new InPlaceRecords(source, Arrays.copyOf(mains, count), Arrays.copyOf(subs, count),
          Arrays.copyOf(offsets, count), Arrays.copyOf(lengths, count));
    }
  }

  private int indexOf(Revision rev) {
    int lo = 0;
    int hi = mains.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int c = Long.compare(mains[mid], rev.main());
      if (c == 0) {
        c = Long.compare(subs[mid], rev.sub());
      }
      if (c < 0) {
        lo = mid + 1;
      } else if (c > 0) {
        hi = mid - 1;
      } else {
        return isRemoved(mid) ? -1 : mid;
      }
    }
    return -1;
  }

  private boolean isRemoved(int i) {
    return (removed.get(i >>> 6) & (1L << i)) != 0;
  }

  /** The record at {@code rev}, copied out, or null when there is none (or it was removed). */
  byte[] get(Revision rev) {
    int i = indexOf(rev);
    return i < 0 ? null : source.substring(Math.toIntExact(offsets[i]), Math.toIntExact(offsets[i] + lengths[i]))
        .toByteArray();
  }

  boolean contains(Revision rev) {
    return indexOf(rev) >= 0;
  }

  /** Removes the record at {@code rev}; returns its length, or -1 when there was none. */
  int remove(Revision rev) {
    int i = indexOf(rev);
    if (i < 0) {
      return -1;
    }
    long bit = 1L << i;
    long word;
    do {
      word = removed.get(i >>> 6);
    } while (!removed.compareAndSet(i >>> 6, word, word | bit));
    live.decrementAndGet();
    return lengths[i];
  }

  /** Records not removed yet. */
  long live() {
    return live.get();
  }

  /** Bytes of the source these records keep in use, whether or not removed. */
  long sourceBytes() {
    return source.size();
  }
}
