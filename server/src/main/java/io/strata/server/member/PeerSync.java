package io.strata.server.member;

import io.strata.api.serverpb.MemberRecord;
import io.strata.raft.transport.PeerTransport;
import java.net.URI;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Keeps the peer transport's peers equal to the applied membership: new members are dialled,
 * moved ones redialled at their new URLs, removed ones dropped (and refused from then on).
 * Only changes reach the transport, so an unchanged peer keeps its connection.
 */
final class PeerSync {
  private final PeerTransport transport;
  private final long localId;
  // Guarded by this: the URLs each peer was last given.
  private final Map<Long, List<String>> known = new HashMap<>();

  PeerSync(PeerTransport transport, long localId) {
    this.transport = transport;
    this.localId = localId;
  }

  synchronized void sync(List<MemberRecord> members) {
    Set<Long> current = new HashSet<>();
    for (MemberRecord m : members) {
      if (m.getId() == localId || m.getPeerUrlsCount() == 0) {
        continue;
      }
      current.add(m.getId());
      List<String> urls = List.copyOf(m.getPeerUrlsList());
      if (!urls.equals(known.get(m.getId()))) {
        transport.addPeer(m.getId(), urls.stream().map(URI::create).toList());
        known.put(m.getId(), urls);
      }
    }
    for (Long id : List.copyOf(known.keySet())) {
      if (!current.contains(id)) {
        transport.removePeer(id);
        known.remove(id);
      }
    }
  }
}
