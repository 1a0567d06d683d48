package io.strata.mvcc;

import com.google.protobuf.ByteString;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which live keys are attached to which lease, so that revoking a lease can delete exactly its
 * keys. It follows the puts and deletes the store applies and is rebuilt from the live keys on
 * restore. Keys are kept sorted so that a revoke deletes them in a deterministic order.
 */
final class LeaseIndex {
  private final Map<Long, TreeSet<ByteString>> keysByLease = new HashMap<>();

  void attach(long leaseId, ByteString key) {
    if (leaseId != 0) {
      keysByLease.computeIfAbsent(leaseId, id -> new TreeSet<>(KeyRange.ORDER)).add(key);
    }
  }

  void detach(long leaseId, ByteString key) {
    if (leaseId == 0) {
      return;
    }
    TreeSet<ByteString> keys = keysByLease.get(leaseId);
    if (keys != null && keys.remove(key) && keys.isEmpty()) {
      keysByLease.remove(leaseId);
    }
  }

  List<ByteString> keys(long leaseId) {
    TreeSet<ByteString> keys = keysByLease.get(leaseId);
    return keys == null ? List.of() : List.copyOf(keys);
  }

  void clear() {
    keysByLease.clear();
  }
}
