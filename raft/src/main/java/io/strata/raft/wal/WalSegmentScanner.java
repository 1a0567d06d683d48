package io.strata.raft.wal;

import static io.strata.raft.wal.WalRecords.CHECKED_HEADER_BYTES;
import static io.strata.raft.wal.WalRecords.HEADER_BYTES;
import static io.strata.raft.wal.WalRecords.HEADER_CRC_OFFSET;
import static io.strata.raft.wal.WalRecords.LENGTH_OFFSET;
import static io.strata.raft.wal.WalRecords.RECORD_CRC_OFFSET;
import static io.strata.raft.wal.WalRecords.SECTOR_BYTES;
import static io.strata.raft.wal.WalRecords.TYPE_OFFSET;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads the records of one segment's bytes and decides where the trustworthy log ends.
 *
 * <p>A record that fails to decode is one of two things. In the last segment it may be a torn
 * tail: the process or machine stopped while the record was being written, so the record is
 * followed by nothing but zeros (preallocated space), runs past the end of the file, or contains
 * a whole sector that was never written. Nothing at or after such a record was ever synced, so
 * nothing acknowledged is lost by cutting it off. Anything else, and any failure in a segment
 * that is not the last, is corruption of data that was once durable, and the scan refuses it.
 */
final class WalSegmentScanner {
  /** One checked record; {@code payload} is a little-endian slice of the segment's bytes. */
  record Record(byte type, long offsetBytes, ByteBuffer payload) {}

  /**
   * The records of a segment up to {@code endOffsetBytes}, the offset after the last good one.
   * {@code tornReason} is null when the segment ends cleanly (in zeros or at end of file);
   * otherwise {@code discardedBytes} bytes from {@code endOffsetBytes} on must be cut off.
   */
  record Result(
      List<Record> records,
      int previousSegmentCrc,
      int lastCrc,
      long endOffsetBytes,
      String tornReason,
      long discardedBytes) {}

  private final Path file;
  private final ByteBuffer contents;
  private final ByteBuffer crcView;
  private final boolean lastSegment;
  private final CRC32C crc = new CRC32C();

  private WalSegmentScanner(Path file, ByteBuffer contents, boolean lastSegment) {
    this.file = file;
    this.contents = contents.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    this.contents.position(0);
    this.crcView = this.contents.duplicate();
    this.lastSegment = lastSegment;
  }

  /** Scans a whole segment; {@code contents} holds the file from offset 0 to its limit. */
  static Result scan(Path file, ByteBuffer contents, boolean lastSegment) throws WalCorruptException {
    return new WalSegmentScanner(file, contents, lastSegment).scan();
  }

  private Result scan() throws WalCorruptException {
    List<Record> records = new ArrayList<>();
    int limit = contents.limit();
    int position = 0;
    int previousSegmentCrc = 0;
    int previousCrc = 0;
    while (position < limit) {
      if (limit - position < HEADER_BYTES) {
        return endAtFailure(records, previousSegmentCrc, previousCrc, position, -1, "short record header");
      }
      if (isZero(position, position + HEADER_BYTES)) {
        return endAtFailure(records, previousSegmentCrc, previousCrc, position, -1, "zero record header");
      }
      int storedHeaderCrc = contents.getInt(position + HEADER_CRC_OFFSET);
      if (storedHeaderCrc != WalRecords.headerCrc(crc, crcView, position)) {
        return endAtFailure(records, previousSegmentCrc, previousCrc, position, -1, "header checksum mismatch");
      }
      int payloadBytes = contents.getInt(position + LENGTH_OFFSET);
      byte type = contents.get(position + TYPE_OFFSET);
      checkHeaderFields(position, payloadBytes, type, records.isEmpty());
      long end = (long) position + HEADER_BYTES + payloadBytes;
      if (end > limit) {
        return endAtFailure(records, previousSegmentCrc, previousCrc, position, end, "record runs past end of file");
      }
      ByteBuffer payload = contents.slice(position + HEADER_BYTES, payloadBytes).order(ByteOrder.LITTLE_ENDIAN);
      if (records.isEmpty()) {
        // The segment header carries the chain value it was written after, which lets a segment
        // be checked on its own once older segments have been released.
        checkSegmentHeaderPayload(position, payload);
        previousSegmentCrc = payload.getInt(4);
        previousCrc = previousSegmentCrc;
      }
      int storedCrc = contents.getInt(position + RECORD_CRC_OFFSET);
      if (storedCrc != WalRecords.recordCrc(crc, previousCrc, crcView, position, payloadBytes)) {
        return endAtFailure(records, previousSegmentCrc, previousCrc, position, end, "record checksum mismatch");
      }
      records.add(new Record(type, position, payload));
      previousCrc = storedCrc;
      position = (int) end;
    }
    return finish(records, previousSegmentCrc, previousCrc, position, null, 0);
  }

  private void checkHeaderFields(int position, int payloadBytes, byte type, boolean firstRecord)
      throws WalCorruptException {
    // The header checksum matched, so these bytes are what was written: a bad value here is a
    // format this code does not understand, never a torn write.
    if (payloadBytes < 0 || payloadBytes > WalRecords.MAX_PAYLOAD_BYTES) {
      throw corrupt(position, "record length " + payloadBytes + " out of range");
    }
    if (!WalRecords.isKnownType(type)) {
      throw corrupt(position, "unknown record type " + type);
    }
    if (!isZero(position + TYPE_OFFSET + 1, position + CHECKED_HEADER_BYTES)) {
      throw corrupt(position, "reserved header bytes are not zero");
    }
    if (firstRecord != (type == WalRecords.TYPE_SEGMENT_HEADER)) {
      throw corrupt(position, firstRecord
          ? "segment starts with a " + WalRecords.typeName(type) + " record instead of a segment header"
          : "segment header in the middle of a segment");
    }
    if (firstRecord && payloadBytes != WalRecords.SEGMENT_HEADER_PAYLOAD_BYTES) {
      throw corrupt(position, "segment header of " + payloadBytes + " bytes");
    }
  }

  private void checkSegmentHeaderPayload(int position, ByteBuffer payload) throws WalCorruptException {
    int version = payload.getInt(0);
    if (version != WalRecords.FORMAT_VERSION) {
      throw corrupt(position, "unsupported WAL format version " + version);
    }
  }

  /**
   * Decides whether the record at {@code position} that failed to decode is a torn tail or
   * corruption. {@code end} is the record's end if its header could be trusted, else -1.
   */
  private Result endAtFailure(
      List<Record> records, int previousSegmentCrc, int previousCrc, int position, long end, String reason)
      throws WalCorruptException {
    int lastNonZero = lastNonZeroByte();
    if (lastNonZero < position) {
      // Only preallocated zeros follow the last good record: the normal end of a live segment.
      return finish(records, previousSegmentCrc, previousCrc, position, null, 0);
    }
    if (!lastSegment) {
      throw corrupt(position, reason + " in a segment that is not the last");
    }
    // A write cut short leaves the record's last byte, and everything after it, zero.
    boolean torn;
    if (end < 0) {
      torn = lastNonZero < position + HEADER_BYTES - 1 || startsUnwrittenSector(position);
    } else {
      torn = end > contents.limit() || lastNonZero < end - 1 || containsZeroSector(position, (int) end);
    }
    if (!torn) {
      throw corrupt(position, reason);
    }
    return finish(records, previousSegmentCrc, previousCrc, position, reason, lastNonZero + 1L - position);
  }

  private Result finish(
      List<Record> records, int previousSegmentCrc, int lastCrc, int end, String tornReason, long discardedBytes)
      throws WalCorruptException {
    if (records.isEmpty()) {
      // Segments are written in full under a temporary name before they get their real one, so a
      // segment without a header was damaged after it was complete.
      throw corrupt(0, "segment has no valid header"
          + (tornReason == null ? "" : " (" + tornReason + ")"));
    }
    return new Result(records, previousSegmentCrc, lastCrc, end, tornReason, discardedBytes);
  }

  /** A zero header whose zeros run at least to the end of the next sector boundary. */
  private boolean startsUnwrittenSector(int position) {
    int sectorEnd = roundUpToSector(position + HEADER_BYTES);
    return sectorEnd <= contents.limit() && isZero(position, sectorEnd);
  }

  private boolean containsZeroSector(int start, int end) {
    for (int sector = roundUpToSector(start); sector + SECTOR_BYTES <= end; sector += SECTOR_BYTES) {
      if (isZero(sector, sector + SECTOR_BYTES)) {
        return true;
      }
    }
    return false;
  }

  private static int roundUpToSector(int offset) {
    return (offset + SECTOR_BYTES - 1) / SECTOR_BYTES * SECTOR_BYTES;
  }

  private boolean isZero(int from, int to) {
    int i = from;
    for (; i + Long.BYTES <= to; i += Long.BYTES) {
      if (contents.getLong(i) != 0) {
        return false;
      }
    }
    for (; i < to; i++) {
      if (contents.get(i) != 0) {
        return false;
      }
    }
    return true;
  }

  private int lastNonZeroByte() {
    int i = contents.limit();
    while (i >= Long.BYTES && contents.getLong(i - Long.BYTES) == 0) {
      i -= Long.BYTES;
    }
    while (i > 0 && contents.get(i - 1) == 0) {
      i--;
    }
    return i - 1;
  }

  private WalCorruptException corrupt(long offset, String reason) {
    return new WalCorruptException(file, offset, reason);
  }
}
