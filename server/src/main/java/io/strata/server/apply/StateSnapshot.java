package io.strata.server.apply;

import io.strata.api.serverpb.MembershipState;
import io.strata.lease.Lessor;
import io.strata.server.cluster.ClusterMembers;
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
 *   int    magic 0x53544132 ("STA2")
 *   long   length of the revision store's section
 *   byte[] the revision store's snapshot (self-checking, see MvccStore)
 *   int    length of the membership section
 *   byte[] the membership (a MembershipState message)
 *   ...    the lessor's snapshot (self-checking, see Lessor)
 * </pre>
 *
 * Version 1 ("STA1") has no membership section; it is still read, and leaves the membership
 * as it was.
 */
public final class StateSnapshot {
  private static final int magicV1 = 0x53544131;
  private static final int magicV2 = 0x53544132;
  /** A membership of thousands of members still fits; anything larger is a corrupt length. */
  private static final int maxMembershipBytes = 64 * 1024 * 1024;

  private StateSnapshot() {}

  /** Writes a version 1 snapshot, without the membership. */
  public static void write(MvccStore store, Lessor lessor, OutputStream out) throws IOException {
    write(store, lessor, null, out);
  }

  /** Writes the whole state; with {@code members == null}, a version 1 snapshot. */
  public static void write(MvccStore store, Lessor lessor, ClusterMembers members, OutputStream out)
      throws IOException {
    com.google.protobuf.ByteString.Output mvcc = com.google.protobuf.ByteString.newOutput();
    store.writeSnapshot(mvcc);
    DataOutputStream data = new DataOutputStream(out);
    data.writeInt(members == null ? magicV1 : magicV2);
    data.writeLong(mvcc.size());
    mvcc.toByteString().writeTo(data);
    if (members != null) {
      byte[] membership = members.toState().toByteArray();
      data.writeInt(membership.length);
      data.write(membership);
    }
    lessor.writeTo(data);
    data.flush();
  }

  /**
   * Restores a snapshot: returns the new revision store, and restores {@code lessor} in place
   * (the lessor is shared by the lease services, so it is filled rather than replaced).
   */
  public static MvccStore read(InputStream in, MvccOptions mvccOptions, Lessor lessor, long nowMillis)
      throws IOException {
    return read(in, mvccOptions, lessor, null, nowMillis);
  }

  /**
   * Restores a snapshot like {@link #read(InputStream, MvccOptions, Lessor, long)}, and also
   * restores {@code members} in place when the snapshot carries a membership (version 2).
   */
  public static MvccStore read(InputStream in, MvccOptions mvccOptions, Lessor lessor, ClusterMembers members,
      long nowMillis) throws IOException {
    DataInputStream data = new DataInputStream(in);
    int found = data.readInt();
    if (found != magicV1 && found != magicV2) {
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
    MembershipState membership = null;
    if (found == magicV2) {
      int membershipLength = data.readInt();
      if (membershipLength < 0 || membershipLength > maxMembershipBytes) {
        throw new IOException("state snapshot has an impossible membership section length " + membershipLength);
      }
      byte[] bytes = data.readNBytes(membershipLength);
      if (bytes.length != membershipLength) {
        throw new IOException("state snapshot is truncated in its membership section");
      }
      membership = MembershipState.parseFrom(bytes);
    }
    MvccStore store = MvccStore.restore(mvccOptions, new ByteArrayInputStream(mvcc));
    try {
      lessor.restore(data, nowMillis);
      if (membership != null && members != null) {
        members.restore(membership);
      }
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }
}
