package io.strata.raft.wal;

import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A segment's file name: its sequence number and the index of the first entry it was opened
 * for, both as 16 hex digits, e.g. {@code 0000000000000001-0000000000000001.wal}. The index is a
 * hint for {@link Wal#releaseBefore}: every live entry in earlier segments precedes it.
 */
record WalSegmentName(long sequence, long firstIndex) implements Comparable<WalSegmentName> {
  static final String SUFFIX = ".wal";
  static final String TEMPORARY_SUFFIX = ".wal.tmp";
  private static final Pattern PATTERN = Pattern.compile("([0-9a-f]{16})-([0-9a-f]{16})\\.wal");

  static Optional<WalSegmentName> parse(Path file) {
    Matcher m = PATTERN.matcher(file.getFileName().toString());
    if (!m.matches()) {
      return Optional.empty();
    }
    return Optional.of(new WalSegmentName(
        Long.parseUnsignedLong(m.group(1), 16), Long.parseUnsignedLong(m.group(2), 16)));
  }

  String fileName() {
    return String.format("%016x-%016x%s", sequence, firstIndex, SUFFIX);
  }

  String temporaryFileName() {
    return String.format("%016x-%016x%s", sequence, firstIndex, TEMPORARY_SUFFIX);
  }

  @Override
  public int compareTo(WalSegmentName other) {
    return Long.compareUnsigned(sequence, other.sequence);
  }
}
