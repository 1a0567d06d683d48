package io.strata.server.watch;

/**
 * Thrown by {@link EventHistory#events} and {@link EventHistory#valueAt} when the revisions asked
 * for were compacted away.
 */
public final class HistoryCompactedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final long compactRevision;

  public HistoryCompactedException(long compactRevision) {
    super("mvcc: required revision has been compacted (compacted at " + compactRevision + ")");
    this.compactRevision = compactRevision;
  }

  public long compactRevision() {
    return compactRevision;
  }
}
