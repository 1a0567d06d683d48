package io.strata.server.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.List;

/**
 * Member and cluster identifiers derived the way etcd derives them, so that a cluster started
 * with the same flags gets the same ids on Strata as on etcd: a member id is the first eight
 * bytes of SHA-1 over its sorted peer URLs and the cluster token; a cluster id is the same
 * digest over the sorted member ids.
 */
public final class MemberIds {
  private MemberIds() {}

  public static long memberId(Collection<String> peerUrls, String clusterToken) {
    StringBuilder material = new StringBuilder();
    peerUrls.stream().sorted().forEach(material::append);
    material.append(clusterToken);
    return firstEightBytes(sha1(material.toString().getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The id of a member added at run time: etcd's API adds the proposer's clock (unix seconds)
   * and no cluster name, so that a member re-added with the same URLs gets a new id.
   */
  public static long addedMemberId(Collection<String> peerUrls, long unixSeconds) {
    return memberId(peerUrls, Long.toString(unixSeconds));
  }

  public static long clusterId(Collection<Long> memberIds) {
    List<Long> sorted = memberIds.stream().sorted(Long::compareUnsigned).toList();
    ByteBuffer buf = ByteBuffer.allocate(8 * sorted.size());
    sorted.forEach(buf::putLong);
    return firstEightBytes(sha1(buf.array()));
  }

  /** Renders an id as etcd does in logs and etcdctl output: lower-case hex without padding. */
  public static String hex(long id) {
    return Long.toHexString(id);
  }

  private static byte[] sha1(byte[] input) {
    try {
      return MessageDigest.getInstance("SHA-1").digest(input);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM provides SHA-1", e);
    }
  }

  private static long firstEightBytes(byte[] digest) {
    return ByteBuffer.wrap(digest, 0, 8).getLong();
  }
}
