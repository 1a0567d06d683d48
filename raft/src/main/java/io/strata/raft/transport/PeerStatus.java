package io.strata.raft.transport;

import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a peer is reachable, and the log lines for its transitions: one line when it comes
 * up and one when it goes down, never one per message or per failed dial. A peer counts as
 * active only while every lane to it has a stream the peer accepted, because a message on a
 * lane that is down is dropped.
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

  PeerStatus(long localId, long peerId, int lanes) {
    this.localId = localId;
    this.peerId = peerId;
    this.lanes = lanes;
  }

  synchronized void laneUp(String lane) {
    lanesUp.add(lane);
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

  synchronized boolean isActive() {
    return active;
  }
}
