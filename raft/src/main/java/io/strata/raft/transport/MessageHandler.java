package io.strata.raft.transport;

import io.strata.raft.proto.Message;

/**
 * Where the transport delivers what it learns. Every method is called from transport threads
 * (network event loops and per-peer senders), and {@link #unreachable} also from inside
 * {@link PeerTransport#send}: implementations must be thread-safe and must not block — hand the
 * event to the raft thread's inbox and return.
 */
public interface MessageHandler {
  /** A message from a peer, addressed to this member. Messages of one lane arrive in send order. */
  void receive(Message message);

  /** Messages for {@code peerId} were dropped (peer down or its queue full); Raft should probe it. */
  void unreachable(long peerId);

  /** The snapshot sent to {@code peerId} was delivered ({@code failed == false}) or was not. */
  void snapshotStatus(long peerId, boolean failed);

  /**
   * {@code peerId}'s process is gone: every one of its URLs refused a connection since its
   * streams ended (see {@link io.strata.raft.RaftNode#reportPeerGone}). Said once until it is
   * reachable again.
   */
  default void peerGone(long peerId) {}

  /**
   * A peer refused this member because the cluster removed it. etcd stops the member then; the
   * default only lets the transport's log line speak.
   */
  default void removedFromCluster(long refusingPeerId) {}
}
