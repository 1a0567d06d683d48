package io.strata.server.apply;

import io.strata.lease.Lessor;
import io.strata.mvcc.MvccOptions;
import io.strata.mvcc.MvccStore;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The replicated state as one byte stream, for Raft snapshots and restarts:
 *
 * <pre>
 *   int    magic 0x53544131 ("STA1")
 *   long   length of the revision store's section
 *   byte[] the revision store's snapshot (self-checking, see MvccStore)
 *   ...    the lessor's snapshot (self-checking, see Lessor)
 * </pre>
 */
public final class StateSnapshot {
  private static final int magic = 0x53544131;

  private StateSnapshot() {}

  public static void write(MvccStore store, Lessor lessor, OutputStream out) throws IOException {
    com.google.protobuf.ByteString.Output mvcc = com.google.protobuf.ByteString.newOutput();
    store.writeSnapshot(mvcc);
    DataOutputStream data = new DataOutputStream(out);
    data.writeInt(magic);
    data.writeLong(mvcc.size());
    mvcc.toByteString().writeTo(data);
    lessor.writeTo(data);
    data.flush();
  }

  /**
   * Restores a snapshot: returns the new revision store, and restores {@code lessor} in place
   * (the lessor is shared by the lease services, so it is filled rather than replaced).
   */
  public static MvccStore read(InputStream in, MvccOptions mvccOptions, Lessor lessor, long nowMillis)
      throws IOException {
    DataInputStream data = new DataInputStream(in);
    int found = data.readInt();
    if (found != magic) {
      throw new IOException("not a Strata state snapshot (magic " + Integer.toHexString(found) + ")");
    }
    long length = data.readLong();
    if (length < 0 || length > Integer.MAX_VALUE) {
      throw new IOException("state snapshot has an impossible store section length " + length);
    }
    byte[] mvcc = data.readNBytes((int) length);
    if (mvcc.length != length) {
      throw new IOException("state snapshot is truncated in its store section");
    }
    MvccStore store = MvccStore.restore(mvccOptions, new ByteArrayInputStream(mvcc));
    try {
      lessor.restore(data, nowMillis);
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }
}
