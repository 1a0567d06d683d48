package io.strata.raft.transport;

import io.github.resilience4j.core.IntervalFunction;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.strata.raft.proto.Message;
import io.strata.raft.transport.proto.MessageBatch;
import io.strata.raft.transport.proto.RaftPeerGrpc;
import io.strata.raft.transport.proto.StreamAck;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived stream to one peer, fed by its own thread from a bounded queue. The thread
 * sends everything queued as one batch, waits for gRPC's flow control rather than buffering
 * inside it, and redials with exponential backoff when the stream breaks. While the peer is
 * down, whatever is queued is dropped and the peer is reported unreachable: Raft messages are
 * worth nothing once stale, and Raft resends what matters.
 *
 * <p>A peer has two lanes, so that heartbeats and votes never queue behind large appends.
 */
final class PeerLane {
  private static final Logger log = LoggerFactory.getLogger(PeerLane.class);

  // Put into the queue to wake the sender when its stream ends; never sent.
  private static final Message wakeUp = Message.newBuilder().build();

  private final Peer peer;
  private final String streamType;
  private final BlockingQueue<Message> queue;
  private final int maxBatchBytes;
  private final long dialTimeoutNanos;
  private final IntervalFunction backoff;
  private final Thread thread;
  private volatile boolean closed;
  private volatile OutboundCall<MessageBatch, StreamAck> current;
  // Sender thread only: a message taken from the queue that did not fit in the last batch.
  private Message carried;

  PeerLane(Peer peer, String streamType, TransportOptions options) {
    this.peer = peer;
    this.streamType = streamType;
    this.queue = new ArrayBlockingQueue<>(options.sendQueueMessages());
    this.maxBatchBytes = options.maxMessageBytes() - TransportOptions.batchOverheadBytes;
    this.dialTimeoutNanos = options.dialTimeout().toNanos();
    this.backoff = IntervalFunction.ofExponentialRandomBackoff(options.reconnectBackoffMin().toMillis(), 2.0, 0.2,
        options.reconnectBackoffMax().toMillis());
    this.thread = new Thread(this::run, "raft-peer-" + PeerIdentity.hex(peer.id()) + "-" + streamType.replace(' ', '-'));
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  /** Queues {@code m}; false if the queue is full. Never blocks. */
  boolean offer(Message m) {
    return queue.offer(m);
  }

  void close() {
    closed = true;
    OutboundCall<MessageBatch, StreamAck> call = current;
    if (call != null) {
      call.cancel("transport closed");
    }
    thread.interrupt();
  }

  void awaitTermination(long timeoutMillis) throws InterruptedException {
    thread.join(timeoutMillis);
  }

  private void run() {
    int failedDials = 0;
    try {
      while (!closed) {
        ManagedChannel channel = peer.channel();
        OutboundCall<MessageBatch, StreamAck> call = new OutboundCall<>(() -> queue.offer(wakeUp));
        current = call;
        if (closed) {
          break;
        }
        channel.resetConnectBackoff();
        RaftPeerGrpc.newStub(channel).withInterceptors(peer.identity()).stream(call);
        String failure = call.awaitFirstResponse(dialTimeoutNanos);
        if (failure != null) {
          call.cancel("dial failed");
          failedDials++;
          onDialFailure(channel, call.failure(), failure, failedDials);
          dropUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoff.apply(failedDials)));
          continue;
        }
        log.info("established TCP streaming connection with remote peer: stream-type={} local-member-id={} "
                + "remote-peer-id={} failed-dials={}", streamType, PeerIdentity.hex(peer.localId()),
            PeerIdentity.hex(peer.id()), failedDials);
        failedDials = 0;
        peer.status().laneUp(streamType);
        String lost = pump(call);
        call.cancel("stream lost");
        if (!closed) {
          log.warn("lost TCP streaming connection with remote peer: stream-type={} local-member-id={} "
                  + "remote-peer-id={} error={}", streamType, PeerIdentity.hex(peer.localId()),
              PeerIdentity.hex(peer.id()), lost);
          peer.status().laneDown(streamType, lost);
        }
      }
    } catch (InterruptedException e) {
      // close() interrupts: the lane is done.
    }
  }

  private void onDialFailure(ManagedChannel channel, Status status, String reason, int failedDials) {
    if (closed) {
      return;
    }
    peer.status().laneDown(streamType, reason);
    if (failedDials == 1) {
      log.warn("failed to dial remote peer: stream-type={} local-member-id={} remote-peer-id={} url={} error={}",
          streamType, PeerIdentity.hex(peer.localId()), PeerIdentity.hex(peer.id()), peer.url(), reason);
    } else {
      log.debug("failed to dial remote peer: stream-type={} remote-peer-id={} attempt={} error={}",
          streamType, PeerIdentity.hex(peer.id()), failedDials, reason);
    }
    peer.dialFailed(channel, status);
  }

  /**
   * Sends batches until the stream ends or the lane closes; returns why the stream ended.
   */
  private String pump(OutboundCall<MessageBatch, StreamAck> call) throws InterruptedException {
    List<Message> batch = new ArrayList<>();
    while (!closed) {
      int batchBytes = takeBatch(batch);
      if (batch.isEmpty()) {
        if (call.ended()) {
          return call.endReason();
        }
        continue;
      }
      if (!call.awaitReady()) {
        dropped(batch.size());
        batch.clear();
        return call.endReason();
      }
      call.send(MessageBatch.newBuilder().addAllMessages(batch).build());
      log.trace("sent batch: remote-peer-id={} stream-type={} messages={} bytes={}", PeerIdentity.hex(peer.id()),
          streamType, batch.size(), batchBytes);
      batch.clear();
    }
    return "transport closed";
  }

  /**
   * Waits for the next message, then takes everything queued behind it that fits in one batch.
   * Returns the batch's size in bytes.
   */
  private int takeBatch(List<Message> batch) throws InterruptedException {
    Message m = carried != null ? carried : queue.take();
    carried = null;
    int bytes = 0;
    while (m != null) {
      if (m != wakeUp) {
        int size = m.getSerializedSize();
        if (size > maxBatchBytes) {
          log.warn("dropped a message larger than the peer message limit: remote-peer-id={} message-type={} "
              + "size-bytes={} limit-bytes={}", PeerIdentity.hex(peer.id()), m.getType(), size, maxBatchBytes);
          dropped(1);
        } else if (bytes + size > maxBatchBytes) {
          carried = m;
          return bytes;
        } else {
          batch.add(m);
          bytes += size;
        }
      }
      m = queue.poll();
    }
    return bytes;
  }

  /** Drops whatever arrives until {@code deadlineNanos}: the peer cannot take it now. */
  private void dropUntil(long deadlineNanos) throws InterruptedException {
    if (carried != null) {
      carried = null;
      dropped(1);
    }
    List<Message> scratch = new ArrayList<>();
    while (!closed) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return;
      }
      Message m = queue.poll(left, TimeUnit.NANOSECONDS);
      if (m == null) {
        continue;
      }
      scratch.add(m);
      queue.drainTo(scratch);
      int count = 0;
      for (Message each : scratch) {
        if (each != wakeUp) {
          count++;
        }
      }
      scratch.clear();
      dropped(count);
    }
  }

  private void dropped(int messages) {
    if (messages > 0) {
      peer.reportUnreachable();
    }
  }
}
