package io.strata.raft.wal;

import com.google.protobuf.ByteString;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.HardState;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** Entries, hard states and file inspection shared by the WAL tests. */
final class WalFixtures {
  static final ByteString METADATA = ByteString.copyFromUtf8("member=1 cluster=7");

  private WalFixtures() {}

  static Entry entry(long index, long term) {
    return entry(index, term, "data-" + index + "-" + term + "!");
  }

  static Entry entry(long index, long term, String data) {
    return Entry.newBuilder().setIndex(index).setTerm(term).setData(ByteString.copyFromUtf8(data)).build();
  }

  static List<Entry> entries(long fromIndex, long toIndex, long term) {
    List<Entry> entries = new ArrayList<>();
    for (long i = fromIndex; i <= toIndex; i++) {
      entries.add(entry(i, term));
    }
    return entries;
  }

  static HardState hardState(long term, long vote, long commit) {
    return HardState.newBuilder().setTerm(term).setVote(vote).setCommit(commit).build();
  }

  static List<Long> indexes(List<Entry> entries) {
    return entries.stream().map(Entry::getIndex).toList();
  }

  static List<Path> segmentFiles(Path dir) throws IOException {
    return WalSegments.list(dir).stream().map(name -> dir.resolve(name.fileName())).toList();
  }

  static Path lastSegment(Path dir) throws IOException {
    List<Path> files = segmentFiles(dir);
    return files.get(files.size() - 1);
  }

  static List<WalSegmentScanner.Record> records(Path file, boolean lastSegment) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer contents = WalSegments.readWhole(channel, file);
      return WalSegmentScanner.scan(file, contents, lastSegment).records();
    }
  }

  /** The offset just past {@code record} in its file. */
  static long end(WalSegmentScanner.Record record) {
    return record.offsetBytes() + WalRecords.HEADER_BYTES + record.payload().remaining();
  }
}
