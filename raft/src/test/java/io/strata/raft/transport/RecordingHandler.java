package io.strata.raft.transport;

import io.strata.raft.proto.Message;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A handler that remembers everything the transport told it. */
final class RecordingHandler implements MessageHandler {
  record SnapshotStatus(long peerId, boolean failed) {}

  final List<Message> received = new CopyOnWriteArrayList<>();
  final Map<Long, AtomicInteger> unreachable = new ConcurrentHashMap<>();
  final List<SnapshotStatus> snapshotStatuses = new CopyOnWriteArrayList<>();
  final List<Long> removedBy = new CopyOnWriteArrayList<>();
  final List<Long> gone = new CopyOnWriteArrayList<>();

  @Override
  public void receive(Message message) {
    received.add(message);
  }

  @Override
  public void unreachable(long peerId) {
    unreachable.computeIfAbsent(peerId, k -> new AtomicInteger()).incrementAndGet();
  }

  @Override
  public void snapshotStatus(long peerId, boolean failed) {
    snapshotStatuses.add(new SnapshotStatus(peerId, failed));
  }

  @Override
  public void removedFromCluster(long refusingPeerId) {
    removedBy.add(refusingPeerId);
  }

  @Override
  public void peerGone(long peerId) {
    gone.add(peerId);
  }

  int unreachableCount(long peerId) {
    AtomicInteger n = unreachable.get(peerId);
    return n == null ? 0 : n.get();
  }

  List<Message> receivedFrom(long from) {
    return received.stream().filter(m -> m.getFrom() == from).toList();
  }
}
