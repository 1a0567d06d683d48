package io.strata.raft;

/** The requested log index lies beyond the last stored entry. */
public final class UnavailableLogException extends RuntimeException {
  public UnavailableLogException(long index, long lastIndex) {
    super("requested entry at index " + index + " is unavailable (last index " + lastIndex + ")", null, false, false);
  }
}
