package io.strata.raft.transport;

import java.net.URI;
import java.time.Duration;
import java.util.List;

/**
 * The settings of one member's peer transport.
 *
 * @param localId this member's id; never 0
 * @param clusterId the cluster this member belongs to; peers of any other cluster are refused
 * @param listenPeerUrls where to serve peers ({@code http://host:port}); port 0 picks a free one
 * @param maxMessageBytes the largest batch (or snapshot chunk) accepted from a peer, and the most
 *     bytes of messages put into one outgoing batch; a single larger message is dropped
 * @param sendQueueMessages the most messages waiting for one peer on one lane; when full, new
 *     messages are dropped and the peer is reported unreachable
 * @param dialTimeout how long a new stream may take to be accepted by the peer
 * @param reconnectBackoffMin the pause after the first failed dial; it doubles per failure
 * @param reconnectBackoffMax the longest pause between dials of a peer that stays down
 * @param snapshotChunkBytes the size of the pieces a snapshot is cut into on the wire
 * @param keepAliveInterval how often an idle connection is probed, and how long a probe may go
 *     unanswered before the connection counts as dead
 */
public record TransportOptions(long localId, long clusterId, List<URI> listenPeerUrls, int maxMessageBytes,
                               int sendQueueMessages, Duration dialTimeout, Duration reconnectBackoffMin,
                               Duration reconnectBackoffMax, int snapshotChunkBytes, Duration keepAliveInterval) {
  /** Room for the batch framing around the messages, so that a full batch stays under the limit. */
  static final int batchOverheadBytes = 64 * 1024;

  public TransportOptions {
    if (localId == 0 || clusterId == 0) {
      throw new IllegalArgumentException("localId and clusterId must not be 0");
    }
    listenPeerUrls = List.copyOf(listenPeerUrls);
    if (listenPeerUrls.isEmpty()) {
      throw new IllegalArgumentException("at least one listen peer URL is needed");
    }
    for (URI url : listenPeerUrls) {
      PeerUrls.socketAddress(url);
    }
    if (maxMessageBytes < 2 * batchOverheadBytes) {
      throw new IllegalArgumentException("maxMessageBytes is too small: " + maxMessageBytes);
    }
    if (sendQueueMessages <= 0) {
      throw new IllegalArgumentException("sendQueueMessages must be positive: " + sendQueueMessages);
    }
    if (snapshotChunkBytes <= 0 || snapshotChunkBytes > maxMessageBytes - batchOverheadBytes) {
      throw new IllegalArgumentException(
          "snapshotChunkBytes must be positive and fit in maxMessageBytes: " + snapshotChunkBytes);
    }
    requirePositive(dialTimeout, "dialTimeout");
    requirePositive(reconnectBackoffMin, "reconnectBackoffMin");
    requirePositive(keepAliveInterval, "keepAliveInterval");
    if (reconnectBackoffMax.compareTo(reconnectBackoffMin) < 0) {
      throw new IllegalArgumentException("reconnectBackoffMax must not be below reconnectBackoffMin");
    }
  }

  /**
   * etcd-like settings: 4096 queued messages per peer (etcd's stream buffer), 1 s dial timeout,
   * 64 MiB batches, 1 MiB snapshot chunks, reconnects between 50 ms and 2 s apart.
   */
  public static TransportOptions defaults(long localId, long clusterId, List<URI> listenPeerUrls) {
    return new TransportOptions(localId, clusterId, listenPeerUrls, 64 * 1024 * 1024, 4096, Duration.ofSeconds(1),
        Duration.ofMillis(50), Duration.ofSeconds(2), 1024 * 1024, Duration.ofSeconds(10));
  }

  public TransportOptions withSendQueueMessages(int messages) {
    return new TransportOptions(localId, clusterId, listenPeerUrls, maxMessageBytes, messages, dialTimeout,
        reconnectBackoffMin, reconnectBackoffMax, snapshotChunkBytes, keepAliveInterval);
  }

  public TransportOptions withDialTimeout(Duration timeout) {
    return new TransportOptions(localId, clusterId, listenPeerUrls, maxMessageBytes, sendQueueMessages, timeout,
        reconnectBackoffMin, reconnectBackoffMax, snapshotChunkBytes, keepAliveInterval);
  }

  public TransportOptions withReconnectBackoff(Duration min, Duration max) {
    return new TransportOptions(localId, clusterId, listenPeerUrls, maxMessageBytes, sendQueueMessages, dialTimeout,
        min, max, snapshotChunkBytes, keepAliveInterval);
  }

  public TransportOptions withSnapshotChunkBytes(int bytes) {
    return new TransportOptions(localId, clusterId, listenPeerUrls, maxMessageBytes, sendQueueMessages, dialTimeout,
        reconnectBackoffMin, reconnectBackoffMax, bytes, keepAliveInterval);
  }

  private static void requirePositive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }
}
