package io.strata.server.apply;

import io.strata.api.serverpb.MembershipState;
import io.strata.lease.Lessor;
import io.strata.server.cluster.ClusterMembers;
import io.strata.mvcc.MvccOptions;
import io.strata.mvcc.MvccStore;
import io.strata.mvcc.StoreSnapshot;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * The replicated state as one byte stream, for Raft snapshots and restarts. Version 3:
 *
 * <pre>
 *   int    magic 0x53544133 ("STA3")
 *   int    length of the membership section, -1 when there is none
 *   byte[] the membership (a MembershipState message)
 *   int    length of the lessor's section
 *   byte[] the lessor's snapshot (self-checking, see Lessor)
 *   ...    the revision store's snapshot (self-checking and self-delimiting, see MvccStore)
 * </pre>
 *
 * The revision store comes last and unprefixed so that it can be streamed from the store
 * while it is read, however large it is. Versions 1 ("STA1", no membership) and 2 ("STA2")
 * put the store first with its length, and are still read.
 */
public final class StateSnapshot {
  private static final int magicV1 = 0x53544131;
  private static final int magicV2 = 0x53544132;
  private static final int magicV3 = 0x53544133;
  /** A membership of thousands of members still fits; anything larger is a corrupt length. */
  private static final int maxMembershipBytes = 64 * 1024 * 1024;
  /** Millions of leases with their keys still fit; anything larger is a corrupt length. */
  private static final int maxLeaseBytes = Integer.MAX_VALUE - 16;

  private StateSnapshot() {}

  /**
   * The state at this moment, to be written later by another thread while applying goes on:
   * the membership and the leases are small and copied now, the revision store is a
   * {@link StoreSnapshot}. Take it on the apply thread, between entries.
   */
  public static final class Capture implements AutoCloseable {
    private final StoreSnapshot store;
    private final byte[] membership;
    private final byte[] leases;

    private Capture(StoreSnapshot store, byte[] membership, byte[] leases) {
      this.store = store;
      this.membership = membership;
      this.leases = leases;
    }

    /** The raft index of the last entry the captured state reflects. */
    public long index() {
      return store.consistentIndex();
    }

    public void writeTo(OutputStream out) throws IOException {
      DataOutputStream data = new DataOutputStream(out);
      data.writeInt(magicV3);
      if (membership == null) {
        data.writeInt(-1);
      } else {
        data.writeInt(membership.length);
        data.write(membership);
      }
      data.writeInt(leases.length);
      data.write(leases);
      data.flush();
      store.writeTo(out);
      out.flush();
    }

    @Override
    public void close() {
      store.close();
    }
  }

  /** Captures the state; {@code members} may be null when the state carries no membership. */
  public static Capture capture(MvccStore store, Lessor lessor, ClusterMembers members) throws IOException {
    ByteArrayOutputStream leases = new ByteArrayOutputStream();
    DataOutputStream leaseData = new DataOutputStream(leases);
    lessor.writeTo(leaseData);
    leaseData.flush();
    byte[] membership = members == null ? null : members.toState().toByteArray();
    return new Capture(store.beginSnapshot(), membership, leases.toByteArray());
  }

  /** Writes the state without a membership section. */
  public static void write(MvccStore store, Lessor lessor, OutputStream out) throws IOException {
    write(store, lessor, null, out);
  }

  /** Writes the whole state at once; {@code members} may be null. */
  public static void write(MvccStore store, Lessor lessor, ClusterMembers members, OutputStream out)
      throws IOException {
    try (Capture capture = capture(store, lessor, members)) {
      capture.writeTo(out);
    }
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
    if (found == magicV3) {
      return readV3(data, mvccOptions, lessor, members, nowMillis);
    }
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
    return restoreTheRest(store, data, lessor, membership, members, nowMillis);
  }

  private static MvccStore readV3(DataInputStream data, MvccOptions mvccOptions, Lessor lessor, ClusterMembers members,
      long nowMillis) throws IOException {
    int membershipLength = data.readInt();
    if (membershipLength < -1 || membershipLength > maxMembershipBytes) {
      throw new IOException("state snapshot has an impossible membership section length " + membershipLength);
    }
    MembershipState membership = null;
    if (membershipLength >= 0) {
      membership = MembershipState.parseFrom(readSection(data, membershipLength, "membership"));
    }
    int leaseLength = data.readInt();
    if (leaseLength < 0 || leaseLength > maxLeaseBytes) {
      throw new IOException("state snapshot has an impossible lease section length " + leaseLength);
    }
    byte[] leases = readSection(data, leaseLength, "lease");
    MvccStore store = MvccStore.restore(mvccOptions, new BufferedInputStream(data, 256 * 1024));
    return restoreTheRest(store, new DataInputStream(new ByteArrayInputStream(leases)), lessor, membership, members,
        nowMillis);
  }

  /** Restores the leases and the membership once the store is; a failure closes the store. */
  private static MvccStore restoreTheRest(MvccStore store, DataInputStream leases, Lessor lessor,
      MembershipState membership, ClusterMembers members, long nowMillis) throws IOException {
    try {
      lessor.restore(leases, nowMillis);
      if (membership != null && members != null) {
        members.restore(membership);
      }
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
    return store;
  }

  private static byte[] readSection(DataInputStream data, int length, String name) throws IOException {
    byte[] bytes = data.readNBytes(length);
    if (bytes.length != length) {
      throw new IOException("state snapshot is truncated in its " + name + " section");
    }
    return bytes;
  }
}
