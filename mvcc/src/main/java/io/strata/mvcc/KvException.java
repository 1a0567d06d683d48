package io.strata.mvcc;

/** An expected refusal of a key-value request, carrying etcd's error for it. */
public final class KvException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final KvError error;

  public KvException(KvError error) {
    super(error.message(), null, false, false);
    this.error = error;
  }

  public KvError error() {
    return error;
  }
}
