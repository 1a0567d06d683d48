package io.strata.mvcc;

import com.google.protobuf.ByteString;
import java.util.Comparator;

/**
 * A key range in etcd's encoding: an empty {@code end} means the single key {@code start};
 * {@code end == "\0"} means every key at or after {@code start}; otherwise {@code [start, end)}.
 * Keys compare as unsigned bytes.
 */
record KeyRange(ByteString start, ByteString end) {
  static final Comparator<ByteString> ORDER = ByteString.unsignedLexicographicalComparator();
  private static final ByteString FROM_KEY = ByteString.copyFrom(new byte[] {0});

  static KeyRange of(ByteString key, ByteString rangeEnd) {
    return new KeyRange(key, rangeEnd);
  }

  boolean isSingleKey() {
    return end.isEmpty();
  }

  boolean isOpenEnded() {
    return end.equals(FROM_KEY);
  }

  boolean contains(ByteString key) {
    if (isSingleKey()) {
      return key.equals(start);
    }
    if (ORDER.compare(key, start) < 0) {
      return false;
    }
    return isOpenEnded() || ORDER.compare(key, end) < 0;
  }
}
