package io.strata.mvcc;

/**
 * A consistent view of the store at one revision: the committed state for readers, or the state
 * including a write transaction's own changes so far for that transaction.
 */
interface ReadView {
  /** The newest revision this view sees. */
  long rev();

  /** The compacted revision: reads below it fail. -1 when the store was never compacted. */
  long firstRev();

  /**
   * The keys of {@code range} alive at {@code atRev} (0 or less = {@link #rev()}), at most
   * {@code limit} of them (0 = all); counts only when {@code countOnly}.
   *
   * @throws KvException FUTURE_REVISION or COMPACTED
   */
  RangeResult rangeKeys(KeyRange range, long atRev, long limit, boolean countOnly);
}
