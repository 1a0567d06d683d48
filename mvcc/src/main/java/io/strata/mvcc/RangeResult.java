package io.strata.mvcc;

import io.strata.api.mvccpb.KeyValue;
import java.util.List;

/**
 * What the revision store returns for a key range: at most the asked number of key-values in
 * key order, the number of keys in the range at the revision read ({@code count}, never limited)
 * and the revision of the view that answered ({@code rev}), which is the newest revision even
 * when an older one was read.
 */
record RangeResult(List<KeyValue> kvs, long count, long rev) {}
