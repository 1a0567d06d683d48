package io.strata.raft.wal;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.HardState;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;

/**
 * Folds the records of a WAL, oldest first, into the state they describe. Pure: it sees records,
 * never files, and names a file only to say where a bad record is.
 *
 * <p>The log rules are raft's: an entry whose index is at or below the last entry replaces the
 * tail from that index on (the leader overwrote a conflicting suffix); an entry may never skip an
 * index; a snapshot marker makes every entry up to its index redundant.
 */
final class WalReplay {
  private ByteString metadata;
  private HardState hardState = HardState.getDefaultInstance();
  // Invariant: entries are contiguous and all above snapshotIndex.
  private final ArrayList<Entry> entries = new ArrayList<>();
  private long snapshotIndex;
  private long snapshotTerm;
  /** Where the first entry of {@link #entries} was read, to name it if it does not fit. */
  private Path firstEntryFile;
  private long firstEntryOffsetBytes;

  void apply(Path file, WalSegmentScanner.Record record) throws WalCorruptException {
    switch (record.type()) {
      case WalRecords.TYPE_SEGMENT_HEADER -> { }
      case WalRecords.TYPE_METADATA -> applyMetadata(file, record);
      case WalRecords.TYPE_HARD_STATE -> hardState = parseHardState(file, record);
      case WalRecords.TYPE_SNAPSHOT_MARKER -> applySnapshotMarker(file, record);
      case WalRecords.TYPE_ENTRY -> applyEntry(file, record, parseEntry(file, record));
      default -> throw new WalCorruptException(file, record.offsetBytes(), "unexpected record type " + record.type());
    }
  }

  WalRecovery finish(Path lastFile) throws WalCorruptException {
    if (metadata == null) {
      throw new WalCorruptException(lastFile, 0, "no metadata record in any segment");
    }
    if (!entries.isEmpty() && entries.get(0).getIndex() != snapshotIndex + 1) {
      throw new WalCorruptException(firstEntryFile, firstEntryOffsetBytes,
          "entries start at index " + entries.get(0).getIndex() + " but the last snapshot marker is at "
              + snapshotIndex + "; the entries in between are missing");
    }
    return new WalRecovery(metadata, hardState, Collections.unmodifiableList(entries), snapshotIndex, snapshotTerm);
  }

  private void applyMetadata(Path file, WalSegmentScanner.Record record) throws WalCorruptException {
    ByteString read = ByteString.copyFrom(record.payload().duplicate());
    if (metadata == null) {
      metadata = read;
    } else if (!metadata.equals(read)) {
      throw new WalCorruptException(file, record.offsetBytes(), "metadata conflicts with an earlier segment's");
    }
  }

  private void applySnapshotMarker(Path file, WalSegmentScanner.Record record) throws WalCorruptException {
    ByteBuffer payload = record.payload();
    if (payload.remaining() != WalRecords.SNAPSHOT_MARKER_PAYLOAD_BYTES) {
      throw new WalCorruptException(file, record.offsetBytes(), "snapshot marker of " + payload.remaining() + " bytes");
    }
    long index = payload.getLong(0);
    long term = payload.getLong(Long.BYTES);
    if (index < snapshotIndex) {
      throw new WalCorruptException(file, record.offsetBytes(),
          "snapshot marker at index " + index + " after one at " + snapshotIndex);
    }
    snapshotIndex = index;
    snapshotTerm = term;
    if (!entries.isEmpty()) {
      long redundant = Math.min(entries.size(), index - entries.get(0).getIndex() + 1);
      if (redundant > 0) {
        entries.subList(0, (int) redundant).clear();
        if (!entries.isEmpty()) {
          firstEntryFile = file;
          firstEntryOffsetBytes = record.offsetBytes();
        }
      }
    }
  }

  private void applyEntry(Path file, WalSegmentScanner.Record record, Entry entry) throws WalCorruptException {
    long index = entry.getIndex();
    if (index <= snapshotIndex) {
      return;
    }
    if (entries.isEmpty()) {
      entries.add(entry);
      firstEntryFile = file;
      firstEntryOffsetBytes = record.offsetBytes();
      return;
    }
    long first = entries.get(0).getIndex();
    long last = entries.get(entries.size() - 1).getIndex();
    if (index > last + 1) {
      throw new WalCorruptException(file, record.offsetBytes(),
          "entry index " + index + " follows " + last + "; the entries in between are missing");
    }
    if (index <= last) {
      if (index <= first) {
        entries.clear();
        firstEntryFile = file;
        firstEntryOffsetBytes = record.offsetBytes();
      } else {
        entries.subList((int) (index - first), entries.size()).clear();
      }
    }
    if (!entries.isEmpty() && entry.getTerm() < entries.get(entries.size() - 1).getTerm()) {
      throw new WalCorruptException(file, record.offsetBytes(), "entry " + index + " has term " + entry.getTerm()
          + ", lower than the term of the entry before it");
    }
    entries.add(entry);
  }

  private static HardState parseHardState(Path file, WalSegmentScanner.Record record) throws WalCorruptException {
    try {
      return HardState.parseFrom(record.payload().duplicate());
    } catch (InvalidProtocolBufferException e) {
      throw new WalCorruptException(file, record.offsetBytes(), "undecodable hard state: " + e.getMessage());
    }
  }

  private static Entry parseEntry(Path file, WalSegmentScanner.Record record) throws WalCorruptException {
    try {
      return Entry.parseFrom(record.payload().duplicate());
    } catch (InvalidProtocolBufferException e) {
      throw new WalCorruptException(file, record.offsetBytes(), "undecodable entry: " + e.getMessage());
    }
  }
}
