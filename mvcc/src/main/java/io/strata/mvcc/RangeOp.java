package io.strata.mvcc;

import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RangeResponse;
import io.strata.api.etcdserverpb.ResponseHeader;
import io.strata.api.mvccpb.KeyValue;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A Range request applied to a view, with etcd's rules: the store fetches {@code limit + 1}
 * keys (to learn {@code more}) unless sorting or a revision filter needs all of them; filters
 * apply after fetching, then sorting, then the limit. {@code count} is the store's count of the
 * range, untouched by filters and limit.
 *
 * <p>Sorting: ascending by key is the store's own order, so it is skipped; a sort target other
 * than KEY with order NONE means ascending; but the fetch size looks only at the order asked
 * for, so NONE with another target sorts just the first {@code limit + 1} keys (etcd's
 * behaviour, kept on purpose). An order other than NONE, ASCEND and DESCEND fetches every key
 * and sorts nothing, as in etcd 3.5. Ties sort stably, in key order, so every member answers
 * alike.
 */
final class RangeOp {
  private RangeOp() {}

  static RangeResponse apply(ReadView view, RangeRequest r) {
    boolean fetchAll = r.getSortOrderValue() != RangeRequest.SortOrder.NONE_VALUE
        || r.getMinModRevision() != 0 || r.getMaxModRevision() != 0
        || r.getMinCreateRevision() != 0 || r.getMaxCreateRevision() != 0;
    long fetchLimit = fetchAll ? 0 : r.getLimit();
    if (fetchLimit > 0) {
      fetchLimit++;
    }
    RangeResult rr = view.rangeKeys(KeyRange.of(r.getKey(), r.getRangeEnd()), r.getRevision(),
        fetchLimit, r.getCountOnly());

    List<KeyValue> kvs = new ArrayList<>(rr.kvs());
    if (r.getMaxModRevision() != 0) {
      kvs.removeIf(kv -> kv.getModRevision() > r.getMaxModRevision());
    }
    if (r.getMinModRevision() != 0) {
      kvs.removeIf(kv -> kv.getModRevision() < r.getMinModRevision());
    }
    if (r.getMaxCreateRevision() != 0) {
      kvs.removeIf(kv -> kv.getCreateRevision() > r.getMaxCreateRevision());
    }
    if (r.getMinCreateRevision() != 0) {
      kvs.removeIf(kv -> kv.getCreateRevision() < r.getMinCreateRevision());
    }

    int order = r.getSortOrderValue();
    int target = r.getSortTargetValue();
    if (target != RangeRequest.SortTarget.KEY_VALUE
        && order == RangeRequest.SortOrder.NONE_VALUE) {
      order = RangeRequest.SortOrder.ASCEND_VALUE;
    } else if (target == RangeRequest.SortTarget.KEY_VALUE
        && order == RangeRequest.SortOrder.ASCEND_VALUE) {
      order = RangeRequest.SortOrder.NONE_VALUE;
    }
    Comparator<KeyValue> byTarget = comparator(target);
    if (byTarget != null) {
      if (order == RangeRequest.SortOrder.ASCEND_VALUE) {
        kvs.sort(byTarget);
      } else if (order == RangeRequest.SortOrder.DESCEND_VALUE) {
        kvs.sort(byTarget.reversed());
      }
    }

    boolean more = false;
    if (r.getLimit() > 0 && kvs.size() > r.getLimit()) {
      kvs = kvs.subList(0, (int) r.getLimit());
      more = true;
    }
    RangeResponse.Builder resp = RangeResponse.newBuilder()
        .setHeader(ResponseHeader.newBuilder().setRevision(rr.rev()))
        .setCount(rr.count())
        .setMore(more);
    for (KeyValue kv : kvs) {
      resp.addKvs(r.getKeysOnly() ? kv.toBuilder().clearValue().build() : kv);
    }
    return resp.build();
  }

  private static Comparator<KeyValue> comparator(int target) {
    switch (target) {
      case RangeRequest.SortTarget.KEY_VALUE:
        return Comparator.comparing(KeyValue::getKey, KeyRange.ORDER);
      case RangeRequest.SortTarget.VERSION_VALUE:
        return Comparator.comparingLong(KeyValue::getVersion);
      case RangeRequest.SortTarget.CREATE_VALUE:
        return Comparator.comparingLong(KeyValue::getCreateRevision);
      case RangeRequest.SortTarget.MOD_VALUE:
        return Comparator.comparingLong(KeyValue::getModRevision);
      case RangeRequest.SortTarget.VALUE_VALUE:
        return Comparator.comparing(KeyValue::getValue, KeyRange.ORDER);
      default:
        return null;
    }
  }
}
