package io.strata.raft;

/** The requested log index lies at or below the last snapshot, so its entry is gone. */
public final class CompactedLogException extends RuntimeException {
  public CompactedLogException(long index, long firstIndex) {
    super("requested index " + index + " is unavailable due to compaction (first index " + firstIndex + ")", null, false, false);
  }
}
