package io.strata.raft.transport;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.strata.raft.proto.Message;
import io.strata.raft.transport.proto.RaftPeerGrpc;
import io.strata.raft.transport.proto.SnapshotAck;
import io.strata.raft.transport.proto.SnapshotChunk;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one MSG_SNAP message to one peer in chunks, on a connection of its own: a snapshot can
 * be far larger than anything else a member sends, and on a shared connection the heartbeats
 * would wait behind it.
 */
final class SnapshotSender {
  private static final Logger log = LoggerFactory.getLogger(SnapshotSender.class);

  private final Peer peer;
  private final TransportOptions options;
  private volatile ManagedChannel channel;
  private volatile boolean closed;

  SnapshotSender(Peer peer, TransportOptions options) {
    this.peer = peer;
    this.options = options;
  }

  /** Sends {@code m} and waits for the peer's acknowledgement; returns null on success, else why not. */
  String send(Message m) throws InterruptedException {
    ByteString data = m.getSnapshot().getData();
    long index = m.getSnapshot().getMetadata().getIndex();
    log.info("sending database snapshot: local-member-id={} remote-peer-id={} snapshot-index={} size-bytes={}",
        PeerIdentity.hex(peer.localId()), PeerIdentity.hex(peer.id()), index, data.size());
    long startNanos = System.nanoTime();
    ManagedChannel ch = PeerChannels.open(peer.url(), options);
    channel = ch;
    try {
      if (closed) {
        return "transport closed";
      }
      OutboundCall<SnapshotChunk, SnapshotAck> call = new OutboundCall<>(() -> {});
      RaftPeerGrpc.newStub(ch).withInterceptors(peer.identity()).sendSnapshot(call);
      call.markStarted();
      Message.Builder header = m.toBuilder();
      header.getSnapshotBuilder().clearData();
      int chunkBytes = options.snapshotChunkBytes();
      int offset = 0;
      do {
        int end = Math.min(data.size(), offset + chunkBytes);
        SnapshotChunk.Builder chunk = SnapshotChunk.newBuilder().setOffset(offset).setData(data.substring(offset, end));
        if (offset == 0) {
          chunk.setMessage(header).setTotalBytes(data.size());
        }
        if (!call.awaitReady()) {
          return fail(index, call.endReason());
        }
        call.send(chunk.build());
        offset = end;
      } while (offset < data.size());
      call.halfClose();
      String failure = call.awaitEnd();
      if (failure != null) {
        return fail(index, failure);
      }
      log.info("sent database snapshot: local-member-id={} remote-peer-id={} snapshot-index={} size-bytes={} "
              + "took-ms={}", PeerIdentity.hex(peer.localId()), PeerIdentity.hex(peer.id()), index, data.size(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
      return null;
    } finally {
      ch.shutdownNow();
      channel = null;
    }
  }

  private String fail(long index, String reason) {
    log.warn("failed to send database snapshot: local-member-id={} remote-peer-id={} snapshot-index={} error={}",
        PeerIdentity.hex(peer.localId()), PeerIdentity.hex(peer.id()), index, reason);
    return reason;
  }

  /** Ends a snapshot in flight; its sender sees the call fail. */
  void close() {
    closed = true;
    ManagedChannel ch = channel;
    if (ch != null) {
      ch.shutdownNow();
    }
  }
}
