package io.strata.mvcc;

import com.google.protobuf.ByteString;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The store's state as a byte stream: every stored revision, oldest first, with the counters,
 * followed by a SHA-256 of everything before it.
 *
 * <pre>
 * magic:int32 "SMV1" | formatVersion:int32 = 1 (whole state) or 2 (what changed since a base)
 * currentRev:int64 | compactMainRev:int64 | compactBoundarySubs:int64 | consistentIndex:int64
 * [version 2 only] baseRev:int64
 * recordCount:int64
 * recordCount x ( main:int64 | sub:int64 | length:int32 | record bytes (see StoredRecord) )
 * sha256:32 bytes (of all the bytes above)
 * </pre>
 *
 * A version 2 section holds the records of revisions after {@code baseRev} and the counters of
 * its moment. Sections chain: a whole state followed by sections each based on the revision of
 * the one before is the state of the last one. A section only follows one with the same
 * compacted revision: a compaction in between would have dropped records of the earlier
 * sections, and the tombstones that end a key's history along with them.
 */
final class SnapshotFormat {
  private static final int MAGIC = 0x534d5631;
  private static final int FORMAT_VERSION = 1;
  private static final int DELTA_FORMAT_VERSION = 2;
  /** The base revision of a section holding the whole state. */
  static final long WHOLE = -1;
  private static final int DIGEST_BYTES = 32;
  /** A record is never larger than this; anything bigger means a corrupt stream. */
  private static final int MAX_RECORD_BYTES = 256 * 1024 * 1024;

  private SnapshotFormat() {}

  /** The counters a snapshot starts with. */
  record Header(long currentRev, long compactMainRev, long compactBoundarySubs, long consistentIndex) {
    static Header of(RevisionStore store) {
      return new Header(store.currentRev(), store.compactMainRev(), store.compactBoundarySubs(),
          store.consistentIndex());
    }
  }

  /**
   * Writes {@code header} and the records of {@code sorted} (in revision order) from
   * {@code records}: the whole state when {@code baseRev} is {@link #WHOLE}, else the records
   * after {@code baseRev}.
   */
  static void write(Header header, long baseRev, List<Revision> sorted, StoreSnapshot.RecordSource records,
      OutputStream out) throws IOException {
    MessageDigest sha = sha256();
    // The digest sees the buffer's large writes, not every field on its own.
    DataOutputStream data = new DataOutputStream(new BufferedOutputStream(
        new DigestOutputStream(nonClosing(out), sha), 64 * 1024));
    data.writeInt(MAGIC);
    data.writeInt(baseRev == WHOLE ? FORMAT_VERSION : DELTA_FORMAT_VERSION);
    data.writeLong(header.currentRev());
    data.writeLong(header.compactMainRev());
    data.writeLong(header.compactBoundarySubs());
    data.writeLong(header.consistentIndex());
    if (baseRev != WHOLE) {
      data.writeLong(baseRev);
    }
    data.writeLong(sorted.size());
    byte[][] chunk = new byte[StoreSnapshot.CHUNK_RECORDS][];
    for (int from = 0; from < sorted.size(); from += chunk.length) {
      List<Revision> part = sorted.subList(from, Math.min(sorted.size(), from + chunk.length));
      records.read(part, chunk);
      for (int i = 0; i < part.size(); i++) {
        Revision rev = part.get(i);
        byte[] record = chunk[i];
        Invariants.check(record != null, "revision %s is in the snapshot but not in the map", rev);
        data.writeLong(rev.main());
        data.writeLong(rev.sub());
        data.writeInt(record.length);
        data.write(record);
        chunk[i] = null;
      }
    }
    data.flush();
    out.write(sha.digest());
    out.flush();
  }

  /**
   * Fills an empty store from one or more sections: a whole state, then any number of sections
   * each based on the one before. A checksum mismatch or a broken chain is an IOException.
   */
  static final class Reader implements AutoCloseable {
    private final RevisionStore store;
    // Exactly one of the two: records copied into the map, or left where they are in the input.
    private final RevisionMapLoader loader;
    private final SnapshotInput inPlace;
    private final InPlaceRecords.Builder inPlaceRecords;
    // The lease of each key whose newest record so far is a put with a lease: once every record
    // is read, those are the live keys' leases, found without reading the map back.
    private final Map<ByteString, Long> leaseOfLiveKey = new HashMap<>();
    private Header last;
    private Revision lastRecord;
    private long records;

    Reader(RevisionStore store) {
      this(store, null);
    }

    /**
     * A reader that leaves the records in {@code inPlace}'s bytes when it is not null; the
     * sections must then be read from it, through streams that do not read ahead.
     */
    Reader(RevisionStore store, SnapshotInput inPlace) {
      this.store = store;
      this.inPlace = inPlace;
      this.loader = inPlace == null ? new RevisionMapLoader(store.revisions) : null;
      this.inPlaceRecords = inPlace == null ? null : new InPlaceRecords.Builder();
    }

    /**
     * Reads one section. It reads exactly the section's bytes and no further, so that a
     * section can be part of a larger stream; pass a buffered stream.
     */
    void section(InputStream in) throws IOException {
      MessageDigest sha = sha256();
      DigestInputStream digesting = new DigestInputStream(in, sha);
      DataInputStream data = new DataInputStream(digesting);
      if (data.readInt() != MAGIC) {
        throw new IOException("not an mvcc snapshot (bad magic)");
      }
      int version = data.readInt();
      if (version != FORMAT_VERSION && version != DELTA_FORMAT_VERSION) {
        throw new IOException("unsupported mvcc snapshot format " + version);
      }
      Header header = new Header(data.readLong(), data.readLong(), data.readLong(), data.readLong());
      long baseRev = version == DELTA_FORMAT_VERSION ? data.readLong() : WHOLE;
      long count = data.readLong();
      if (header.currentRev() < 1 || header.compactMainRev() > header.currentRev() || count < 0) {
        throw new IOException("corrupt mvcc snapshot header");
      }
      if (last == null && baseRev != WHOLE) {
        throw new IOException("mvcc snapshot begins with changes since revision " + baseRev
            + " instead of a whole state");
      }
      if (last != null && (baseRev != last.currentRev() || header.currentRev() < last.currentRev()
          || header.compactMainRev() != last.compactMainRev()
          || header.compactBoundarySubs() != last.compactBoundarySubs()
          || header.consistentIndex() < last.consistentIndex())) {
        throw new IOException("mvcc snapshot section based on revision " + baseRev
            + " does not follow one at revision " + last.currentRev());
      }
      for (long i = 0; i < count; i++) {
        Revision rev = new Revision(data.readLong(), data.readLong());
        int length = data.readInt();
        if (length < 1 || length > MAX_RECORD_BYTES || rev.main() > header.currentRev() || rev.main() <= baseRev
            || (lastRecord != null && lastRecord.compareTo(rev) >= 0)) {
          throw new IOException("corrupt mvcc snapshot record " + (records + i) + " at " + rev);
        }
        long offset = inPlace == null ? -1 : inPlace.position();
        byte[] record = new byte[length];
        data.readFully(record);
        StoredRecord decoded;
        try {
          decoded = StoredRecord.decode(record);
        } catch (IllegalStateException e) {
          throw new IOException("corrupt mvcc snapshot record " + (records + i) + " at " + rev, e);
        }
        replay(store, rev, decoded);
        if (decoded.tombstone() || decoded.kv().getLease() == 0) {
          leaseOfLiveKey.remove(decoded.kv().getKey());
        } else {
          leaseOfLiveKey.put(decoded.kv().getKey(), decoded.kv().getLease());
        }
        if (loader != null) {
          loader.add(rev, record);
        } else {
          inPlaceRecords.add(rev, offset, length);
        }
        lastRecord = rev;
      }
      byte[] expected = sha.digest();
      byte[] actual = new byte[DIGEST_BYTES];
      digesting.on(false);
      try {
        data.readFully(actual);
      } catch (EOFException e) {
        throw new IOException("mvcc snapshot is truncated: no checksum", e);
      }
      if (!Arrays.equals(expected, actual)) {
        throw new IOException("mvcc snapshot checksum mismatch");
      }
      records += count;
      last = header;
    }

    /** Ends the restore: the store then holds the state of the last section read. */
    void finish() throws IOException {
      if (last == null) {
        throw new IOException("mvcc snapshot has no sections");
      }
      if (loader != null) {
        loader.finish();
      } else {
        store.revisions.adoptRestored(inPlaceRecords, inPlace.source());
      }
      store.restoreCounters(last.currentRev(), last.compactMainRev(), last.compactBoundarySubs(),
          last.consistentIndex());
      store.leases.clear();
      for (Map.Entry<ByteString, Long> e : leaseOfLiveKey.entrySet()) {
        KeyIndex ki = store.index.get(e.getKey());
        Invariants.check(ki != null && ki.isLive(), "key %s holds lease %d but is not live after the restore",
            e.getKey().toStringUtf8(), e.getValue());
        store.leases.attach(e.getValue(), e.getKey());
      }
    }

    @Override
    public void close() {
      if (loader != null) {
        loader.close();
      }
    }
  }

  /** Fills the empty {@code store} from one whole-state section; see {@link Reader#section}. */
  static void read(RevisionStore store, InputStream in) throws IOException {
    try (Reader reader = new Reader(store)) {
      reader.section(in);
      reader.finish();
    }
  }

  private static void replay(RevisionStore store, Revision rev, StoredRecord record)
      throws IOException {
    KeyIndex ki = store.index.getOrCreate(record.kv().getKey());
    try {
      if (record.tombstone()) {
        ki.restoreTombstone(rev);
      } else {
        ki.restorePut(rev, record.kv().getCreateRevision(), record.kv().getVersion());
      }
    } catch (IllegalStateException e) {
      throw new IOException("mvcc snapshot history is inconsistent at " + rev, e);
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }

  private static OutputStream nonClosing(OutputStream out) {
    return new FilterOutputStream(out) {
      @Override
      public void write(byte[] b, int off, int len) throws IOException {
        out.write(b, off, len);
      }

      @Override
      public void close() throws IOException {
        flush();
      }
    };
  }
}
