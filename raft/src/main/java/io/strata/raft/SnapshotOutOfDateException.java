package io.strata.raft;

/** A snapshot was offered that is not newer than the one the storage already holds. */
public final class SnapshotOutOfDateException extends RuntimeException {
  public SnapshotOutOfDateException(long requestedIndex, long currentIndex) {
    super("requested snapshot index " + requestedIndex + " is out of date (current snapshot index " + currentIndex + ")");
  }
}
