package io.strata.mvcc;

import com.google.protobuf.ByteString;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which live keys are attached to which lease, both ways: revoking a lease deletes exactly its
 * keys, and a put or delete learns the lease it replaces without reading the key's previous
 * record back from the revision map. It follows the puts and deletes the store applies and is
 * rebuilt from the live keys on restore. Keys are kept sorted so that a revoke deletes them in
 * a deterministic order.
 */
final class LeaseIndex {
  private final Map<Long, TreeSet<ByteString>> keysByLease = new HashMap<>();
  // Invariant: leaseByKey.get(k) == l exactly when keysByLease.get(l) contains k; a key is
  // attached to at most one lease, and keys without a lease are absent.
  private final Map<ByteString, Long> leaseByKey = new HashMap<>();

  void attach(long leaseId, ByteString key) {
    if (leaseId == 0) {
      return;
    }
    Long had = leaseByKey.put(key, leaseId);
    Invariants.check(had == null || had == leaseId, "key %s attached to lease %d while on lease %d",
        key.toStringUtf8(), leaseId, had);
    keysByLease.computeIfAbsent(leaseId, id -> new TreeSet<>(KeyRange.ORDER)).add(key);
  }

  void detach(long leaseId, ByteString key) {
    if (leaseId == 0) {
      return;
    }
    leaseByKey.remove(key, leaseId);
    TreeSet<ByteString> keys = keysByLease.get(leaseId);
    if (keys != null && keys.remove(key) && keys.isEmpty()) {
      keysByLease.remove(leaseId);
    }
  }

  /** The lease {@code key} is attached to, or 0 when it has none (or is not live). */
  long leaseOf(ByteString key) {
    Long leaseId = leaseByKey.get(key);
    return leaseId == null ? 0 : leaseId;
  }

  List<ByteString> keys(long leaseId) {
    TreeSet<ByteString> keys = keysByLease.get(leaseId);
    return keys == null ? List.of() : List.copyOf(keys);
  }

  void clear() {
    keysByLease.clear();
    leaseByKey.clear();
  }
}
