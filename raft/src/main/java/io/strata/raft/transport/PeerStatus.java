package io.strata.raft.transport;

import io.grpc.Status;
import java.net.ConnectException;
import java.net.URI;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a peer is reachable, and the log lines for its transitions: one line when it comes
 * up and one when it goes down, never one per message or per failed dial. A peer counts as
 * active only while every lane to it has a stream the peer accepted, because a message on a
 * lane that is down is dropped.
 *
 * <p>It also tells when the peer's process is gone rather than slow or cut off: every one of its
 * URLs refused a connection since a lane last had a stream. The kernel refuses connections to a
 * port nobody listens on at once, so after a crash (kill -9, out of memory) this is known within
 * milliseconds, where the election timeout waits a second or more.
 */
final class PeerStatus {
  private static final Logger log = LoggerFactory.getLogger(PeerStatus.class);

  private final long localId;
  private final long peerId;
  private final int lanes;
  // Guarded by this.
  private final Set<String> lanesUp = new HashSet<>();
  private boolean active;
  private long activeSinceMillis;
  private final Set<URI> refusedAt = new HashSet<>();
  private boolean goneReported;

  PeerStatus(long localId, long peerId, int lanes) {
    this.localId = localId;
    this.peerId = peerId;
    this.lanes = lanes;
  }

  synchronized void laneUp(String lane) {
    lanesUp.add(lane);
    refusedAt.clear();
    goneReported = false;
    if (!active && lanesUp.size() == lanes) {
      active = true;
      activeSinceMillis = System.currentTimeMillis();
      log.info("peer became active: local-member-id={} peer-id={}", PeerIdentity.hex(localId),
          PeerIdentity.hex(peerId));
    }
  }

  synchronized void laneDown(String lane, String reason) {
    lanesUp.remove(lane);
    if (active) {
      active = false;
      log.warn("peer became inactive (message send to peer failed): local-member-id={} peer-id={} "
              + "active-for-ms={} error={}", PeerIdentity.hex(localId), PeerIdentity.hex(peerId),
          System.currentTimeMillis() - activeSinceMillis, reason);
    }
  }

  /**
   * Records a dial to {@code url} that {@code status} ended; true the first time that every one
   * of {@code urls} has refused a connection since a lane last had a stream: the peer is gone.
   */
  synchronized boolean dialFailed(URI url, Collection<URI> urls, Status status) {
    if (!refused(status)) {
      return false;
    }
    refusedAt.add(url);
    if (goneReported || !refusedAt.containsAll(urls)) {
      return false;
    }
    goneReported = true;
    return true;
  }

  /** Whether nothing listened at the address dialled (not a timeout, nor a refusal by the peer). */
  static boolean refused(Status status) {
    if (status == null) {
      return false;
    }
    for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
      if (t instanceof ConnectException && t.getMessage() != null && t.getMessage().contains("Connection refused")) {
        return true;
      }
    }
    return false;
  }

  synchronized boolean isActive() {
    return active;
  }
}
