package io.strata.raft.transport;

import io.github.resilience4j.core.IntervalFunction;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.strata.raft.proto.Message;
import io.strata.raft.transport.proto.MessageBatch;
import io.strata.raft.transport.proto.RaftPeerGrpc;
import io.strata.raft.transport.proto.StreamAck;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One long-lived stream to one peer. While the stream is up and gRPC has room, the thread that
 * offers messages writes them into the stream itself, as one batch per offer: a hand-off to a
 * thread of the lane's own would cost a wakeup on every message, and every Raft round trip is
 * made of several messages. Whatever cannot be written at once (the stream is not up yet, or
 * gRPC's flow control says wait) goes into a bounded backlog, which the lane's thread sends as
 * soon as the stream has room, so that nothing piles up unbounded inside gRPC. The lane's thread
 * also dials the stream and redials it with exponential backoff when it breaks. While the peer
 * is down, whatever is queued is dropped and the peer is reported unreachable: Raft messages are
 * worth nothing once stale, and Raft resends what matters.
 *
 * <p>A peer has two lanes, so that heartbeats and votes never queue behind large appends.
 */
final class PeerLane {
  private static final Logger log = LoggerFactory.getLogger(PeerLane.class);

  private final Peer peer;
  private final String streamType;
  private final int maxQueuedMessages;
  private final int maxBatchBytes;
  private final long dialTimeoutNanos;
  private final IntervalFunction backoff;
  private final Thread thread;
  private volatile boolean closed;
  private volatile OutboundCall<MessageBatch, StreamAck> current;

  /**
   * Guards the backlog, {@code open} and {@code pumpWriting}. Messages leave in the order they
   * were offered because an offer writes into the stream itself only while nothing older waits
   * in the backlog or is being written by the lane's thread, and only with the lock held.
   */
  private final ReentrantLock lock = new ReentrantLock();
  /** Signalled when the backlog gains messages, the stream ends or the lane closes. */
  private final Condition changed = lock.newCondition();
  // Guarded by lock. Invariant: size <= maxQueuedMessages.
  private final ArrayDeque<Message> backlog = new ArrayDeque<>();
  // Guarded by lock. The accepted stream that offers may write into; null while there is none.
  private OutboundCall<MessageBatch, StreamAck> open;
  // Guarded by lock. Set while the lane's thread writes a batch taken from the backlog; it writes
  // without the lock, so that an offer never waits for a large batch to be serialized.
  private boolean pumpWriting;
  // Lane thread only: messages too large to send, taken from the backlog and not yet reported.
  private int droppedOversized;

  PeerLane(Peer peer, String streamType, TransportOptions options) {
    this.peer = peer;
    this.streamType = streamType;
    this.maxQueuedMessages = options.sendQueueMessages();
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

  /**
   * Sends {@code messages} in order, or queues what cannot be sent now. Never blocks on the
   * network. Returns how many were dropped because the backlog was full; the caller reports the
   * peer unreachable then (this lane reports the other losses itself).
   */
  int offer(List<Message> messages) {
    int full = 0;
    int lost = 0;
    lock.lock();
    try {
      int next = 0;
      if (open != null && backlog.isEmpty() && !pumpWriting) {
        long sent = sendNow(open, messages);
        next = (int) sent;
        lost = (int) (sent >>> 32);
      }
      boolean queued = false;
      for (int i = next; i < messages.size(); i++) {
        if (backlog.size() >= maxQueuedMessages) {
          full++;
        } else {
          backlog.add(messages.get(i));
          queued = true;
        }
      }
      if (queued) {
        changed.signal();
      }
    } finally {
      lock.unlock();
    }
    dropped(lost);
    return full;
  }

  /**
   * Writes messages from the start of {@code messages} into {@code call} for as long as gRPC has
   * room, in batches of at most {@code maxBatchBytes}. Returns, packed into one long to spare an
   * allocation on every send, the number of messages consumed (low 32 bits) and of those the
   * number dropped (high 32 bits): too large to send, or lost with a call that failed.
   */
  private long sendNow(OutboundCall<MessageBatch, StreamAck> call, List<Message> messages) {
    int next = 0;
    int dropped = 0;
    int n = messages.size();
    while (next < n && call.isReady()) {
      MessageBatch.Builder batch = MessageBatch.newBuilder();
      int batchBytes = 0;
      while (next < n) {
        Message m = messages.get(next);
        int size = m.getSerializedSize();
        if (size > maxBatchBytes) {
          warnOversized(m, size);
          dropped++;
          next++;
          continue;
        }
        if (batchBytes > 0 && batchBytes + size > maxBatchBytes) {
          break;
        }
        batch.addMessages(m);
        batchBytes += size;
        next++;
      }
      if (batch.getMessagesCount() > 0 && !write(call, batch.build(), batchBytes)) {
        dropped += batch.getMessagesCount();
        break;
      }
    }
    return ((long) dropped << 32) | next;
  }

  /** Writes one batch; false if the call refused it (it is ending), and the batch is lost. */
  private boolean write(OutboundCall<MessageBatch, StreamAck> call, MessageBatch batch, int batchBytes) {
    try {
      call.send(batch);
    } catch (RuntimeException e) {
      // A call cancelled by the network between the readiness check and the write; the lane's
      // thread notices the end and redials.
      log.debug("failed to send batch: remote-peer-id={} stream-type={} error={}", PeerIdentity.hex(peer.id()),
          streamType, e.toString());
      return false;
    }
    if (log.isTraceEnabled()) {
      log.trace("sent batch: remote-peer-id={} stream-type={} messages={} bytes={}", PeerIdentity.hex(peer.id()),
          streamType, batch.getMessagesCount(), batchBytes);
    }
    return true;
  }

  private void warnOversized(Message m, int size) {
    log.warn("dropped a message larger than the peer message limit: remote-peer-id={} message-type={} "
        + "size-bytes={} limit-bytes={}", PeerIdentity.hex(peer.id()), m.getType(), size, maxBatchBytes);
  }

  void close() {
    closed = true;
    lock.lock();
    try {
      open = null;
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    OutboundCall<MessageBatch, StreamAck> call = current;
    if (call != null) {
      call.cancel("transport closed");
    }
    thread.interrupt();
  }

  void awaitTermination(long timeoutMillis) throws InterruptedException {
    thread.join(timeoutMillis);
  }

  private void wakeUp() {
    lock.lock();
    try {
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void run() {
    int failedDials = 0;
    try {
      while (!closed) {
        ManagedChannel channel = peer.channel();
        OutboundCall<MessageBatch, StreamAck> call = new OutboundCall<>(this::wakeUp);
        current = call;
        if (closed) {
          break;
        }
        channel.resetConnectBackoff();
        RaftPeerGrpc.newStub(channel).withInterceptors(peer.identity()).stream(call);
        call.markStarted();
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
        lock.lock();
        try {
          open = null;
        } finally {
          lock.unlock();
        }
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
   * Opens {@code call} to direct writes, then sends the backlog whenever it has messages and
   * gRPC has room, until the stream ends or the lane closes; returns why the stream ended.
   */
  private String pump(OutboundCall<MessageBatch, StreamAck> call) throws InterruptedException {
    lock.lock();
    try {
      if (closed) {
        return "transport closed";
      }
      open = call;
    } finally {
      lock.unlock();
    }
    while (true) {
      lock.lock();
      try {
        while (backlog.isEmpty() && !call.ended() && !closed) {
          changed.await();
        }
        if (closed) {
          return "transport closed";
        }
        if (call.ended()) {
          return call.endReason();
        }
      } finally {
        lock.unlock();
      }
      // Waiting for room happens outside the lock, so that offers keep queueing meanwhile.
      if (!call.awaitReady()) {
        return call.endReason();
      }
      MessageBatch.Builder batch = MessageBatch.newBuilder();
      int batchBytes;
      boolean writing;
      lock.lock();
      try {
        batchBytes = takeBatch(batch);
        writing = batch.getMessagesCount() > 0;
        pumpWriting = writing;
      } finally {
        lock.unlock();
      }
      int lost = 0;
      if (writing) {
        try {
          if (!write(call, batch.build(), batchBytes)) {
            lost = batch.getMessagesCount();
          }
        } finally {
          lock.lock();
          try {
            pumpWriting = false;
          } finally {
            lock.unlock();
          }
        }
      }
      dropped(droppedOversized + lost);
      droppedOversized = 0;
    }
  }

  /**
   * Moves messages from the head of the backlog into {@code batch}, up to {@code maxBatchBytes};
   * the lock is held. Returns the batch's size in bytes.
   */
  private int takeBatch(MessageBatch.Builder batch) {
    int batchBytes = 0;
    Message m;
    while ((m = backlog.peek()) != null) {
      int size = m.getSerializedSize();
      if (size > maxBatchBytes) {
        backlog.poll();
        warnOversized(m, size);
        droppedOversized++;
        continue;
      }
      if (batchBytes > 0 && batchBytes + size > maxBatchBytes) {
        break;
      }
      backlog.poll();
      batch.addMessages(m);
      batchBytes += size;
    }
    return batchBytes;
  }

  /** Drops whatever arrives until {@code deadlineNanos}: the peer cannot take it now. */
  private void dropUntil(long deadlineNanos) throws InterruptedException {
    while (!closed) {
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return;
      }
      int count;
      lock.lock();
      try {
        if (backlog.isEmpty()) {
          changed.awaitNanos(left);
        }
        count = backlog.size();
        backlog.clear();
      } finally {
        lock.unlock();
      }
      dropped(count);
    }
  }

  private void dropped(int messages) {
    if (messages > 0) {
      peer.reportUnreachable();
    }
  }
}
