package io.strata.raft.wal;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * The constants and checksum rules of the WAL record format shared by {@link WalWriter} (which
 * draws the byte layout) and {@link WalSegmentScanner}. Every multi-byte number is little-endian.
 */
final class WalRecords {
  static final int HEADER_BYTES = 16;
  static final int LENGTH_OFFSET = 0;
  static final int TYPE_OFFSET = 4;
  static final int HEADER_CRC_OFFSET = 8;
  static final int RECORD_CRC_OFFSET = 12;
  /** The header bytes covered by the header checksum: the length, the type and three zeros. */
  static final int CHECKED_HEADER_BYTES = 8;

  /**
   * The largest payload a record may carry. Raft entries are bounded far below this by the
   * request size limit; the bound exists so that a corrupt length can never ask for an absurd
   * buffer.
   */
  static final int MAX_PAYLOAD_BYTES = 128 * 1024 * 1024;

  // Record types. Zero is never a type, so that a header of preallocated zeros is never a record.
  static final byte TYPE_SEGMENT_HEADER = 1;
  static final byte TYPE_METADATA = 2;
  static final byte TYPE_ENTRY = 3;
  static final byte TYPE_HARD_STATE = 4;
  static final byte TYPE_SNAPSHOT_MARKER = 5;

  /**
   * The segment header payload: format version (int32), the checksum of the previous segment's
   * last record (int32, zero for the first segment of a new WAL), the segment's sequence number
   * (int64) and the index the segment was opened for (int64).
   */
  static final int SEGMENT_HEADER_PAYLOAD_BYTES = 24;
  static final int FORMAT_VERSION = 1;
  /** The snapshot marker payload: snapshot index (int64) and term (int64). */
  static final int SNAPSHOT_MARKER_PAYLOAD_BYTES = 16;

  /**
   * Sectors are the unit a disk writes atomically. A whole aligned sector of zeros inside a record
   * whose checksum fails means the sector was never written, which is a torn write, not rot.
   */
  static final int SECTOR_BYTES = 512;

  private WalRecords() {}

  static boolean isKnownType(byte type) {
    return type >= TYPE_SEGMENT_HEADER && type <= TYPE_SNAPSHOT_MARKER;
  }

  static String typeName(byte type) {
    return switch (type) {
      case TYPE_SEGMENT_HEADER -> "segment-header";
      case TYPE_METADATA -> "metadata";
      case TYPE_ENTRY -> "entry";
      case TYPE_HARD_STATE -> "hard-state";
      case TYPE_SNAPSHOT_MARKER -> "snapshot-marker";
      default -> "unknown(" + type + ")";
    };
  }

  /** The checksum of the first eight header bytes, which makes a corrupt length detectable. */
  static int headerCrc(CRC32C crc, ByteBuffer view, int recordStart) {
    crc.reset();
    view.limit(recordStart + CHECKED_HEADER_BYTES).position(recordStart);
    crc.update(view);
    return (int) crc.getValue();
  }

  /**
   * The record checksum chains every record to the one before it: it covers the previous record's
   * checksum, the checked header bytes and the payload. A record spliced in from another WAL, or a
   * lost record, therefore breaks the chain even when each record is intact on its own.
   */
  static int recordCrc(CRC32C crc, int previousCrc, ByteBuffer view, int recordStart, int payloadBytes) {
    crc.reset();
    crc.update(previousCrc);
    crc.update(previousCrc >>> 8);
    crc.update(previousCrc >>> 16);
    crc.update(previousCrc >>> 24);
    view.limit(recordStart + CHECKED_HEADER_BYTES).position(recordStart);
    crc.update(view);
    int payloadStart = recordStart + HEADER_BYTES;
    view.limit(payloadStart + payloadBytes).position(payloadStart);
    crc.update(view);
    return (int) crc.getValue();
  }
}
