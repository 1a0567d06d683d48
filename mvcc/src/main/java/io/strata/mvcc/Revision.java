package io.strata.mvcc;

/**
 * A point in the store's history: {@code main} is the revision of the write transaction,
 * {@code sub} the position of the change within that transaction. Revisions order first by
 * {@code main}, then by {@code sub}.
 */
record Revision(long main, long sub) implements Comparable<Revision> {
  /** Encoded size of a revision inside the revision map's keys. */
  static final int BYTES = 16;

  Revision {
    Invariants.check(main >= 0 && sub >= 0, "negative revision %d.%d", main, sub);
  }

  @Override
  public int compareTo(Revision other) {
    int byMain = Long.compare(main, other.main);
    return byMain != 0 ? byMain : Long.compare(sub, other.sub);
  }

  @Override
  public String toString() {
    return main + "." + sub;
  }
}
