package io.strata.raft;

/**
 * The window of appends sent to one follower and not yet acknowledged, bounded by count and by
 * bytes so that a slow follower cannot make the leader buffer without limit.
 */
final class Inflights {
  private final int maxInflightMsgs;
  private final long maxInflightBytes;
  // A ring buffer of the last index carried by each in-flight append, and its size.
  private final long[] lastIndexes;
  private final long[] sizesBytes;
  private int start;
  private int count;
  private long bytes;

  Inflights(int maxInflightMsgs, long maxInflightBytes) {
    Invariants.check(maxInflightMsgs > 0, "maxInflightMsgs %d must be positive", maxInflightMsgs);
    this.maxInflightMsgs = maxInflightMsgs;
    this.maxInflightBytes = maxInflightBytes;
    this.lastIndexes = new long[maxInflightMsgs];
    this.sizesBytes = new long[maxInflightMsgs];
  }

  void add(long lastIndex, long sizeBytes) {
    Invariants.check(count < maxInflightMsgs, "in-flight window is full (%d)", count);
    int slot = (start + count) % maxInflightMsgs;
    lastIndexes[slot] = lastIndex;
    sizesBytes[slot] = sizeBytes;
    count++;
    bytes += sizeBytes;
  }

  /** Acknowledges every append whose last index is at most {@code index}. */
  void freeLE(long index) {
    while (count > 0 && lastIndexes[start] <= index) {
      bytes -= sizesBytes[start];
      start = (start + 1) % maxInflightMsgs;
      count--;
    }
    if (count == 0) {
      start = 0;
    }
  }

  /** Frees the oldest slot, so that a heartbeat response can unblock a full window. */
  void freeFirstOne() {
    if (count > 0) {
      freeLE(lastIndexes[start]);
    }
  }

  boolean full() {
    return count >= maxInflightMsgs || (maxInflightBytes > 0 && bytes >= maxInflightBytes);
  }

  int count() {
    return count;
  }

  void reset() {
    start = 0;
    count = 0;
    bytes = 0;
  }
}
