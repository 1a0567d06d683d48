package io.strata.raft.transport;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.strata.raft.proto.Message;
import io.strata.raft.transport.proto.MessageBatch;
import io.strata.raft.transport.proto.RaftPeerGrpc;
import io.strata.raft.transport.proto.SnapshotAck;
import io.strata.raft.transport.proto.SnapshotChunk;
import io.strata.raft.transport.proto.StreamAck;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side: hands each message of an admitted peer's streams to the handler, and
 * reassembles snapshots. It runs on the network threads, which is why the handler must not block.
 */
final class RaftPeerService extends RaftPeerGrpc.RaftPeerImplBase {
  private static final Logger log = LoggerFactory.getLogger(RaftPeerService.class);

  private final long localId;
  private final MessageHandler handler;
  private final Map<Long, Set<InboundStream>> inbound = new ConcurrentHashMap<>();

  RaftPeerService(long localId, MessageHandler handler) {
    this.localId = localId;
    this.handler = handler;
  }

  @Override
  public StreamObserver<MessageBatch> stream(StreamObserver<StreamAck> acks) {
    long from = PeerIdentity.sender.get();
    InboundStream stream = new InboundStream(from, acks);
    inbound.computeIfAbsent(from, k -> ConcurrentHashMap.newKeySet()).add(stream);
    // The one answer on this stream: it tells the sender the stream was accepted.
    stream.accept();
    log.debug("accepted stream from remote peer: local-member-id={} remote-peer-id={}",
        PeerIdentity.hex(localId), PeerIdentity.hex(from));
    return stream;
  }

  /** Ends every stream from {@code peerId} with {@code status}; the sender's redial is then refused. */
  void disconnect(long peerId, Status status) {
    Set<InboundStream> streams = inbound.remove(peerId);
    if (streams != null) {
      for (InboundStream s : streams) {
        s.end(status);
      }
    }
  }

  /**
   * One admitted stream from a peer. The network thread feeds it, while {@link #disconnect} may
   * end it from another thread, so the answering side is guarded by the stream's monitor.
   */
  private final class InboundStream implements StreamObserver<MessageBatch> {
    private final long from;
    private final StreamObserver<StreamAck> acks;
    private boolean ended;
    private boolean warnedMisaddressed;

    InboundStream(long from, StreamObserver<StreamAck> acks) {
      this.from = from;
      this.acks = acks;
    }

    synchronized void accept() {
      if (!ended) {
        acks.onNext(StreamAck.getDefaultInstance());
      }
    }

    synchronized void end(Status status) {
      if (!ended) {
        ended = true;
        acks.onError(status.asRuntimeException());
      }
    }

    @Override
    public void onNext(MessageBatch batch) {
      for (Message m : batch.getMessagesList()) {
        if (acceptable(m, from)) {
          handler.receive(m);
        } else if (!warnedMisaddressed) {
          warnedMisaddressed = true;
          log.warn("dropped misaddressed or local-only message from remote peer: local-member-id={} "
                  + "remote-peer-id={} message-type={} from={} to={}", PeerIdentity.hex(localId),
              PeerIdentity.hex(from), m.getType(), PeerIdentity.hex(m.getFrom()), PeerIdentity.hex(m.getTo()));
        }
      }
    }

    @Override
    public void onError(Throwable t) {
      forget();
      log.debug("lost stream from remote peer: remote-peer-id={} cause={}", PeerIdentity.hex(from), t.toString());
    }

    @Override
    public void onCompleted() {
      forget();
      synchronized (this) {
        if (!ended) {
          ended = true;
          acks.onCompleted();
        }
      }
    }

    private void forget() {
      Set<InboundStream> streams = inbound.get(from);
      if (streams != null) {
        streams.remove(this);
      }
    }
  }

  @Override
  public StreamObserver<SnapshotChunk> sendSnapshot(StreamObserver<SnapshotAck> ack) {
    long from = PeerIdentity.sender.get();
    SnapshotAssembler assembler = new SnapshotAssembler();
    return new StreamObserver<>() {
      private boolean failed;
      private final long startNanos = System.nanoTime();

      @Override
      public void onNext(SnapshotChunk chunk) {
        if (failed) {
          return;
        }
        try {
          boolean first = !assembler.started();
          assembler.add(chunk);
          if (first) {
            log.info("receiving database snapshot: local-member-id={} remote-snapshot-sender-id={} "
                    + "incoming-snapshot-index={} incoming-snapshot-size-bytes={}", PeerIdentity.hex(localId),
                PeerIdentity.hex(from), chunk.getMessage().getSnapshot().getMetadata().getIndex(),
                chunk.getTotalBytes());
          }
        } catch (IllegalArgumentException e) {
          fail(e.getMessage());
        }
      }

      @Override
      public void onError(Throwable t) {
        failed = true;
        log.warn("failed to receive database snapshot: remote-snapshot-sender-id={} received-bytes={} cause={}",
            PeerIdentity.hex(from), assembler.receivedBytes(), t.toString());
      }

      @Override
      public void onCompleted() {
        if (failed) {
          return;
        }
        Message m;
        try {
          m = assembler.message();
        } catch (IllegalArgumentException e) {
          fail(e.getMessage());
          return;
        }
        if (!acceptable(m, from)) {
          fail("snapshot message is not addressed from " + PeerIdentity.hex(from) + " to " + PeerIdentity.hex(localId));
          return;
        }
        log.info("received database snapshot: local-member-id={} remote-snapshot-sender-id={} "
                + "incoming-snapshot-index={} incoming-snapshot-size-bytes={} took-ms={}", PeerIdentity.hex(localId),
            PeerIdentity.hex(from), m.getSnapshot().getMetadata().getIndex(), assembler.receivedBytes(),
            (System.nanoTime() - startNanos) / 1_000_000);
        handler.receive(m);
        ack.onNext(SnapshotAck.getDefaultInstance());
        ack.onCompleted();
      }

      private void fail(String reason) {
        failed = true;
        log.warn("failed to receive database snapshot: remote-snapshot-sender-id={} error={}",
            PeerIdentity.hex(from), reason);
        ack.onError(Status.INVALID_ARGUMENT.withDescription(reason).asRuntimeException());
      }
    };
  }

  /**
   * Whether {@code m} may reach Raft: addressed from the stream's sender to this member, and not
   * one of the message types the core makes only for itself (the core refuses those loudly).
   */
  private boolean acceptable(Message m, long from) {
    if (m.getFrom() != from || m.getTo() != localId) {
      return false;
    }
    return switch (m.getType()) {
      case MSG_HUP, MSG_BEAT, MSG_UNREACHABLE, MSG_SNAP_STATUS, MSG_CHECK_QUORUM, UNRECOGNIZED -> false;
      default -> true;
    };
  }
}
