package io.strata.raft.wal;

/**
 * Settings of a {@link Wal}.
 *
 * @param segmentSizeBytes the size a segment is preallocated to; the WAL moves to a new segment
 *     once a batch of appends reaches it, so a segment can exceed it by at most one batch
 */
public record WalOptions(long segmentSizeBytes) {
  /** etcd's segment size: large enough that rolling is rare, small enough to release promptly. */
  public static final long DEFAULT_SEGMENT_SIZE_BYTES = 64L * 1024 * 1024;
  /** Segments are read whole into memory on recovery and addressed with int offsets. */
  public static final long MAX_SEGMENT_SIZE_BYTES = 1024L * 1024 * 1024;

  public WalOptions {
    if (segmentSizeBytes <= 0 || segmentSizeBytes > MAX_SEGMENT_SIZE_BYTES) {
      throw new IllegalArgumentException(
          "segmentSizeBytes must be in (0, " + MAX_SEGMENT_SIZE_BYTES + "], got " + segmentSizeBytes);
    }
  }

  public static WalOptions defaults() {
    return new WalOptions(DEFAULT_SEGMENT_SIZE_BYTES);
  }
}
