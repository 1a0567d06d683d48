package io.strata.server.member;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RangeResponse;
import io.strata.api.mvccpb.Event;
import io.strata.api.mvccpb.KeyValue;
import io.strata.mvcc.KvError;
import io.strata.mvcc.KvException;
import io.strata.mvcc.MvccStore;
import io.strata.server.watch.EventHistory;
import io.strata.server.watch.HistoryCompactedException;
import java.util.List;
import java.util.function.Supplier;

/** The revision store's history, as the watch manager reads it to catch watchers up. */
final class StoreEventHistory implements EventHistory {
  private final Supplier<MvccStore> stores;

  StoreEventHistory(Supplier<MvccStore> stores) {
    this.stores = stores;
  }

  @Override
  public long currentRevision() {
    return stores.get().currentRevision();
  }

  @Override
  public long compactedRevision() {
    return stores.get().compactedRevision();
  }

  @Override
  public List<Event> events(long fromRevision, long toRevision, ByteString key, ByteString rangeEnd, boolean withPrevKv, int maxEvents) {
    MvccStore store = stores.get();
    try {
      return store.eventsSince(fromRevision, toRevision, key, rangeEnd, maxEvents, withPrevKv).events();
    } catch (KvException e) {
      if (e.error() == KvError.COMPACTED) {
        throw new HistoryCompactedException(store.compactedRevision());
      }
      throw e;
    }
  }

  @Override
  public KeyValue valueAt(ByteString key, long revision) {
    // Revision 0 would read the newest value; nothing exists before the store's first revision.
    if (revision < 1) {
      return null;
    }
    MvccStore store = stores.get();
    try {
      RangeResponse found = store.range(RangeRequest.newBuilder().setKey(key).setRevision(revision).build());
      return found.getKvsCount() == 0 ? null : found.getKvs(0);
    } catch (KvException e) {
      if (e.error() == KvError.COMPACTED) {
        throw new HistoryCompactedException(store.compactedRevision());
      }
      throw e;
    }
  }
}
