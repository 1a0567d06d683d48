package io.strata.server.apply;

import com.google.protobuf.ByteString;
import io.strata.api.serverpb.MembershipState;
import io.strata.lease.Lessor;
import io.strata.server.cluster.ClusterMembers;
import io.strata.mvcc.MvccOptions;
import io.strata.mvcc.MvccStore;
import io.strata.mvcc.SnapshotInput;
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
 *
 * <p>A version 3 state may be followed by any number of sections of what changed since the
 * section before, each laid out like it but starting with "STD3" and holding the revision
 * store's changes since the one before (see {@link MvccStore#beginSnapshotSince}) with the whole
 * membership and leases of its moment. The state is that of the last section. This lets a
 * snapshot be taken at a cost that grows with the writes since the last one rather than with
 * the store, and lets the snapshot files of a chain be sent to a follower one after the other.
 */
public final class StateSnapshot {
  private static final int magicV1 = 0x53544131;
  private static final int magicV2 = 0x53544132;
  private static final int magicV3 = 0x53544133;
  private static final int magicChanges = 0x53544433;
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

    /** The store's revision at the captured moment. */
    public long revision() {
      return store.revision();
    }

    /** Whether it holds only the changes since a base (see {@link #captureSince}). */
    public boolean changesOnly() {
      return store.baseRevision() >= 0;
    }

    /** How many revision records it holds. */
    public long records() {
      return store.records();
    }

    public void writeTo(OutputStream out) throws IOException {
      DataOutputStream data = new DataOutputStream(out);
      data.writeInt(changesOnly() ? magicChanges : magicV3);
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
    return captureSince(store, lessor, members, -1);
  }

  /**
   * Captures a section of the changes since the state captured at store revision
   * {@code baseRevision}, or the whole state when it is negative. The store must not have been
   * compacted since the base.
   */
  public static Capture captureSince(MvccStore store, Lessor lessor, ClusterMembers members, long baseRevision)
      throws IOException {
    ByteArrayOutputStream leases = new ByteArrayOutputStream();
    DataOutputStream leaseData = new DataOutputStream(leases);
    lessor.writeTo(leaseData);
    leaseData.flush();
    byte[] membership = members == null ? null : members.toState().toByteArray();
    StoreSnapshot snapshot = baseRevision < 0 ? store.beginSnapshot() : store.beginSnapshotSince(baseRevision);
    return new Capture(snapshot, membership, leases.toByteArray());
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
    // One buffer for all sections: each reads exactly its own bytes from it.
    DataInputStream data = new DataInputStream(new BufferedInputStream(in, 256 * 1024));
    return read(data, null, mvccOptions, lessor, members, nowMillis);
  }

  /**
   * Restores a snapshot like {@link #read(InputStream, MvccOptions, Lessor, ClusterMembers, long)}
   * from bytes that stay as they are for as long as the store lives (a mapped snapshot file): the
   * store keeps its records where they lie in them instead of copying them (version 3).
   */
  public static MvccStore read(ByteString snapshot, MvccOptions mvccOptions, Lessor lessor, ClusterMembers members,
      long nowMillis) throws IOException {
    SnapshotInput input = new SnapshotInput(snapshot);
    // No buffer: the store's records are found by how far the input has been read.
    return read(new DataInputStream(input), input, mvccOptions, lessor, members, nowMillis);
  }

  private static MvccStore read(DataInputStream data, SnapshotInput inPlace, MvccOptions mvccOptions, Lessor lessor,
      ClusterMembers members, long nowMillis) throws IOException {
    int found = data.readInt();
    if (found == magicV3) {
      return readV3(data, inPlace, mvccOptions, lessor, members, nowMillis);
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

  private static MvccStore readV3(DataInputStream data, SnapshotInput inPlace, MvccOptions mvccOptions, Lessor lessor,
      ClusterMembers members, long nowMillis) throws IOException {
    MembershipState membership;
    byte[] leases;
    MvccStore store;
    try (MvccStore.Restore restore = inPlace == null ? MvccStore.beginRestore(mvccOptions)
        : MvccStore.beginRestore(mvccOptions, inPlace)) {
      while (true) {
        int membershipLength = data.readInt();
        if (membershipLength < -1 || membershipLength > maxMembershipBytes) {
          throw new IOException("state snapshot has an impossible membership section length " + membershipLength);
        }
        membership = null;
        if (membershipLength >= 0) {
          membership = MembershipState.parseFrom(readSection(data, membershipLength, "membership"));
        }
        int leaseLength = data.readInt();
        if (leaseLength < 0 || leaseLength > maxLeaseBytes) {
          throw new IOException("state snapshot has an impossible lease section length " + leaseLength);
        }
        leases = readSection(data, leaseLength, "lease");
        restore.section(data);
        int next = data.read();
        if (next < 0) {
          break;
        }
        int magic = (next << 24) | (data.readUnsignedByte() << 16) | (data.readUnsignedShort());
        if (magic != magicChanges) {
          throw new IOException("state snapshot has a section of unknown kind (magic " + Integer.toHexString(magic) + ")");
        }
      }
      store = restore.finish();
    }
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
