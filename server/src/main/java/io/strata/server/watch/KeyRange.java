package io.strata.server.watch;

import com.google.protobuf.ByteString;
import java.util.Comparator;

/**
 * The keys one watcher observes, with etcd's range conventions already applied: an empty
 * {@code end} means the single key {@code key}, an {@code end} of one zero byte means every key
 * at or above {@code key}, anything else is the half-open interval {@code [key, end)}.
 */
final class KeyRange {
  static final Comparator<ByteString> KEY_ORDER = ByteString.unsignedLexicographicalComparator();
  private static final ByteString ZERO = ByteString.copyFrom(new byte[] {0});

  /** Every key: etcd treats an empty key as "\0", the smallest key, and "\0" as "no upper end". */
  static final KeyRange ALL = new KeyRange(ZERO, ZERO);

  private final ByteString key;
  private final ByteString end;

  private KeyRange(ByteString key, ByteString end) {
    this.key = key;
    this.end = end;
  }

  /**
   * Normalises a request's key and range end the way etcd's watch server does: an empty key
   * becomes "\0". Returns null when the range is empty (key >= end), which etcd refuses.
   */
  static KeyRange of(ByteString key, ByteString end) {
    ByteString k = key.isEmpty() ? ZERO : key;
    if (!end.isEmpty() && !end.equals(ZERO) && KEY_ORDER.compare(k, end) >= 0) {
      return null;
    }
    return new KeyRange(k, end);
  }

  ByteString key() {
    return key;
  }

  /** The range end in wire form: empty for a single key, "\0" for from-key. */
  ByteString end() {
    return end;
  }

  boolean isSingleKey() {
    return end.isEmpty();
  }

  boolean isFromKey() {
    return end.equals(ZERO);
  }

  boolean contains(ByteString k) {
    if (isSingleKey()) {
      return key.equals(k);
    }
    if (KEY_ORDER.compare(k, key) < 0) {
      return false;
    }
    return isFromKey() || KEY_ORDER.compare(k, end) < 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof KeyRange r && r.key.equals(key) && r.end.equals(end);
  }

  @Override
  public int hashCode() {
    return key.hashCode() * 31 + end.hashCode();
  }

  @Override
  public String toString() {
    return "[" + key.toStringUtf8() + ", " + (isSingleKey() ? "single" : isFromKey() ? "from-key" : end.toStringUtf8()) + ")";
  }
}
