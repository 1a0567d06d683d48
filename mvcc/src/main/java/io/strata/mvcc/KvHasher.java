package io.strata.mvcc;

import io.strata.api.mvccpb.KeyValue;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * HashKV: a CRC-32C over the stored history up to a revision, computed over the same bytes
 * etcd hashes, so that members (and etcd itself, given the same history) agree. etcd hashes
 * its backend's key bucket in key order: the bucket name "key", then per revision the backend
 * key ({@code main:int64 | '_' | sub:int64}, plus {@code 't'} for a tombstone) and the value
 * (the KeyValue protobuf; for a tombstone a KeyValue holding only the key). Revisions at or
 * below the compacted revision count only when compaction at the hashed revision would keep
 * them.
 */
final class KvHasher {
  private static final byte[] BUCKET = "key".getBytes(StandardCharsets.US_ASCII);

  private KvHasher() {}

  static HashKvResult hash(RevisionStore store, long revision) {
    long compacted = store.compactMainRev();
    if (revision > 0 && revision <= compacted) {
      throw new KvException(KvError.COMPACTED);
    }
    if (revision > store.currentRev()) {
      throw new KvException(KvError.FUTURE_REVISION);
    }
    long rev = revision == 0 ? store.currentRev() : revision;
    Set<Revision> keep = new HashSet<>();
    for (KeyIndex ki : store.index.view().values()) {
      Revision kept = ki.keptAt(rev);
      if (kept != null) {
        keep.add(kept);
      }
    }
    CRC32C crc = new CRC32C();
    crc.update(BUCKET);
    for (Revision r : store.index.allRevisions()) {
      if (r.main() > rev) {
        break;
      }
      if (r.main() <= compacted && !keep.isEmpty() && !keep.contains(r)) {
        continue;
      }
      StoredRecord record = store.record(r);
      ByteBuffer key = ByteBuffer.allocate(record.tombstone() ? 18 : 17)
          .putLong(r.main()).put((byte) '_').putLong(r.sub());
      if (record.tombstone()) {
        key.put((byte) 't');
      }
      crc.update(key.array());
      KeyValue value = record.tombstone()
          ? KeyValue.newBuilder().setKey(record.kv().getKey()).build()
          : record.kv();
      crc.update(value.toByteArray());
    }
    return new HashKvResult(crc.getValue(), compacted, rev);
  }
}
