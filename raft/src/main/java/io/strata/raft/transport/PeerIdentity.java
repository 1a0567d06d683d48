package io.strata.raft.transport;

import io.grpc.Context;
import io.grpc.Metadata;

/**
 * Who is calling whom: the metadata every peer call carries, written by the sender and checked
 * by {@link PeerAdmission}. Ids travel in hexadecimal, the way etcd prints member ids.
 */
final class PeerIdentity {
  private PeerIdentity() {}

  static final Metadata.Key<String> clusterIdKey =
      Metadata.Key.of("strata-cluster-id", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> memberIdKey =
      Metadata.Key.of("strata-member-id", Metadata.ASCII_STRING_MARSHALLER);
  static final Metadata.Key<String> raftToKey =
      Metadata.Key.of("strata-raft-to", Metadata.ASCII_STRING_MARSHALLER);

  /** The admitted sender of the call being served. */
  static final Context.Key<Long> sender = Context.key("strata-peer-sender");

  static Metadata headers(long clusterId, long from, long to) {
    Metadata headers = new Metadata();
    headers.put(clusterIdKey, hex(clusterId));
    headers.put(memberIdKey, hex(from));
    headers.put(raftToKey, hex(to));
    return headers;
  }

  static String hex(long id) {
    return Long.toHexString(id);
  }

  /** The id in {@code value}, or 0 (never a valid id) if it is missing or malformed. */
  static long parse(String value) {
    if (value == null || value.isEmpty() || value.length() > 16) {
      return 0;
    }
    try {
      return Long.parseUnsignedLong(value, 16);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
