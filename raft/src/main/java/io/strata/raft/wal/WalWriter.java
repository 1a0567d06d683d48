package io.strata.raft.wal;

import static io.strata.raft.wal.WalRecords.CHECKED_HEADER_BYTES;
import static io.strata.raft.wal.WalRecords.HEADER_BYTES;
import static io.strata.raft.wal.WalRecords.HEADER_CRC_OFFSET;
import static io.strata.raft.wal.WalRecords.LENGTH_OFFSET;
import static io.strata.raft.wal.WalRecords.MAX_PAYLOAD_BYTES;
import static io.strata.raft.wal.WalRecords.RECORD_CRC_OFFSET;
import static io.strata.raft.wal.WalRecords.TYPE_OFFSET;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.MessageLite;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.zip.CRC32C;

/**
 * Appends records to one segment file through a reused direct buffer, and makes them durable on
 * {@link #sync()}. Not thread-safe: the raft I/O thread owns the WAL.
 *
 * <p>A record is a 16-byte header followed by its payload; records follow each other without
 * padding. Numbers are little-endian.
 *
 * <pre>
 *  0               4       5               8               12              16
 *  +---------------+-------+---------------+---------------+---------------+----------------+
 *  | payload bytes | type  | 0 0 0         | header crc    | record crc    | payload ...    |
 *  | int32         | int8  | reserved      | crc32c [0,8)  | chained       | (length bytes) |
 *  +---------------+-------+---------------+---------------+---------------+----------------+
 *
 *  header crc = CRC32C(bytes 0..7)
 *  record crc = CRC32C(previous record crc as 4 bytes, bytes 0..7, payload)
 * </pre>
 *
 * The header has its own checksum so that a reader can trust the length before it trusts the
 * payload: a flipped bit in the length of a middle record must read as corruption, never as a
 * short tail to be cut off. The record checksum is chained across records and, through the
 * segment header's "previous crc" field, across segments. Each segment starts with a
 * segment-header record, then the metadata, the snapshot marker and the hard state current when
 * the segment was opened, so that any suffix of segments can be replayed on its own.
 *
 * <p>Payloads: segment header and snapshot marker are fixed binary layouts (see {@link
 * WalRecords}); metadata is the caller's opaque bytes; entries and hard states are their protobuf
 * encodings.
 */
final class WalWriter implements Closeable {
  private static final int MIN_BUFFER_BYTES = 64 * 1024;

  private final FileChannel channel;
  private final CRC32C crc = new CRC32C();
  /** Where the next flush lands in the file; everything before it has been handed to the OS. */
  private long flushedOffsetBytes;
  private ByteBuffer buffer;
  /** A second view of {@link #buffer} for checksumming ranges without moving its position. */
  private ByteBuffer crcView;
  private int lastCrc;
  /** Invariant: true iff bytes were written to the channel since the last force. */
  private boolean unsynced;

  WalWriter(FileChannel channel, long offsetBytes, int previousCrc, int bufferBytes) {
    this.channel = channel;
    this.flushedOffsetBytes = offsetBytes;
    this.lastCrc = previousCrc;
    allocateBuffer(Math.max(MIN_BUFFER_BYTES, bufferBytes));
  }

  /** The file offset just past the last appended record, flushed or not. */
  long offsetBytes() {
    return flushedOffsetBytes + buffer.position();
  }

  int lastCrc() {
    return lastCrc;
  }

  void appendMessage(byte type, MessageLite message) throws IOException {
    int payloadBytes = message.getSerializedSize();
    int start = beginRecord(payloadBytes);
    buffer.position(start + HEADER_BYTES);
    CodedOutputStream out = CodedOutputStream.newInstance(buffer);
    message.writeTo(out);
    out.flush();
    finishRecord(type, start, payloadBytes);
  }

  void appendBytes(byte type, ByteString payload) throws IOException {
    int start = beginRecord(payload.size());
    buffer.position(start + HEADER_BYTES);
    payload.copyTo(buffer);
    finishRecord(type, start, payload.size());
  }

  void appendSegmentHeader(long sequence, long firstIndex) throws IOException {
    int start = beginRecord(WalRecords.SEGMENT_HEADER_PAYLOAD_BYTES);
    buffer.position(start + HEADER_BYTES);
    buffer.putInt(WalRecords.FORMAT_VERSION).putInt(lastCrc).putLong(sequence).putLong(firstIndex);
    finishRecord(WalRecords.TYPE_SEGMENT_HEADER, start, WalRecords.SEGMENT_HEADER_PAYLOAD_BYTES);
  }

  void appendSnapshotMarker(long index, long term) throws IOException {
    int start = beginRecord(WalRecords.SNAPSHOT_MARKER_PAYLOAD_BYTES);
    buffer.position(start + HEADER_BYTES);
    buffer.putLong(index).putLong(term);
    finishRecord(WalRecords.TYPE_SNAPSHOT_MARKER, start, WalRecords.SNAPSHOT_MARKER_PAYLOAD_BYTES);
  }

  /** Hands buffered records to the OS. They are not durable until {@link #sync()}. */
  void flush() throws IOException {
    buffer.flip();
    while (buffer.hasRemaining()) {
      flushedOffsetBytes += channel.write(buffer, flushedOffsetBytes);
      unsynced = true;
    }
    buffer.clear();
  }

  /** Makes every appended record durable; costs nothing when nothing was appended since. */
  void sync() throws IOException {
    if (buffer.position() > 0) {
      flush();
    }
    if (unsynced) {
      channel.force(false);
      unsynced = false;
    }
  }

  /**
   * Cuts the preallocated space off a finished segment, so that a segment that is not the last
   * one ends exactly at its last record.
   */
  void truncateToEndAndSync() throws IOException {
    flush();
    channel.truncate(flushedOffsetBytes);
    channel.force(true);
    unsynced = false;
  }

  void lock(Path dir) throws IOException {
    Wal.lock(channel, dir);
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private int beginRecord(int payloadBytes) throws IOException {
    if (payloadBytes < 0 || payloadBytes > MAX_PAYLOAD_BYTES) {
      throw new IllegalArgumentException(
          "wal: record payload of " + payloadBytes + " bytes exceeds " + MAX_PAYLOAD_BYTES);
    }
    int recordBytes = HEADER_BYTES + payloadBytes;
    if (buffer.remaining() < recordBytes) {
      flush();
      if (buffer.capacity() < recordBytes) {
        allocateBuffer(Integer.highestOneBit(recordBytes - 1) << 1);
      }
    }
    return buffer.position();
  }

  private void finishRecord(byte type, int start, int payloadBytes) {
    int end = start + HEADER_BYTES + payloadBytes;
    if (buffer.position() != end) {
      throw new IllegalStateException(
          "wal: " + WalRecords.typeName(type) + " payload wrote " + (buffer.position() - start - HEADER_BYTES)
              + " bytes, expected " + payloadBytes);
    }
    buffer.putInt(start + LENGTH_OFFSET, payloadBytes);
    buffer.put(start + TYPE_OFFSET, type);
    for (int i = TYPE_OFFSET + 1; i < CHECKED_HEADER_BYTES; i++) {
      buffer.put(start + i, (byte) 0);
    }
    buffer.putInt(start + HEADER_CRC_OFFSET, WalRecords.headerCrc(crc, crcView, start));
    int recordCrc = WalRecords.recordCrc(crc, lastCrc, crcView, start, payloadBytes);
    buffer.putInt(start + RECORD_CRC_OFFSET, recordCrc);
    lastCrc = recordCrc;
  }

  private void allocateBuffer(int capacityBytes) {
    buffer = ByteBuffer.allocateDirect(capacityBytes).order(ByteOrder.LITTLE_ENDIAN);
    crcView = buffer.duplicate();
  }
}
