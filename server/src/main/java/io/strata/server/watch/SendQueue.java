package io.strata.server.watch;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.WatchResponse;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The outbound side of one watch stream: a bounded queue of responses and the drain that hands
 * them to gRPC while the transport is ready. Producers (the apply thread, the catch-up thread,
 * the inbound thread) only append under this object's monitor and never wait for the network;
 * one drain at a time runs on the send executor, so gRPC's observer is never called
 * concurrently.
 *
 * <p>Responses with events are bounded in count and bytes: when a producer finds no room it sets
 * the watcher aside for the catch-up task instead of queueing more. Control responses (created,
 * canceled, progress) are not bounded by that; they are bounded instead by reading no further
 * request from the client while {@link #MAX_QUEUED_CONTROL_RESPONSES} are waiting, as etcd
 * stops reading when its control channel is full.
 */
final class SendQueue {
  /** Control responses waiting before the stream stops reading requests (etcd uses 16). */
  static final int MAX_QUEUED_CONTROL_RESPONSES = 16;

  private final StreamObserver<WatchResponse> observer;
  /** Null when the observer offers no flow control; then it is treated as always ready. */
  private final ServerCallStreamObserver<WatchResponse> call;
  private final HeaderSource headers;
  private final Executor sendExecutor;
  private final int maxQueuedResponses;
  private final long maxQueuedBytes;
  private final int fragmentThresholdBytes;
  /** Called, outside this monitor, when a producer found no room and room is back. */
  private final Runnable onRoom;
  /** Called, outside this monitor, when the transport refuses a response. */
  private final Runnable onSendFailure;

  private final AtomicBoolean drainScheduled = new AtomicBoolean();

  // Guarded by this.
  private final ArrayDeque<PendingResponse> queue = new ArrayDeque<>();
  // Invariant: eventResponses + controlResponses == queue.size()
  private int eventResponses;
  private int controlResponses;
  private long eventBytes;
  private boolean wantsRoom;
  private boolean inboundPaused;
  private boolean closed;

  SendQueue(
      StreamObserver<WatchResponse> observer,
      HeaderSource headers,
      Executor sendExecutor,
      WatchOptions options,
      Runnable onRoom,
      Runnable onSendFailure) {
    this.observer = observer;
    this.call = observer instanceof ServerCallStreamObserver<WatchResponse> c ? c : null;
    this.headers = headers;
    this.sendExecutor = sendExecutor;
    this.maxQueuedResponses = options.maxQueuedResponses();
    this.maxQueuedBytes = options.maxQueuedBytes();
    this.fragmentThresholdBytes = options.fragmentThresholdBytes();
    this.onRoom = onRoom;
    this.onSendFailure = onSendFailure;
  }

  /**
   * Takes over inbound flow control and arranges for drains when gRPC can take more. Must be
   * called while the call is being set up (inside the service method).
   */
  void start() {
    if (call != null) {
      call.disableAutoInboundFlowControl();
      call.setOnReadyHandler(this::requestDrain);
      call.request(1);
    }
  }

  /**
   * Whether a response with events may be queued now. A false answer is remembered, so that the
   * producer is told (through {@code onRoom}) once the queue has drained to half its bounds.
   */
  synchronized boolean hasRoomForEvents() {
    boolean room = !closed && eventResponses < maxQueuedResponses && eventBytes < maxQueuedBytes;
    if (!room && !closed) {
      wantsRoom = true;
    }
    return room;
  }

  /** Like {@link #hasRoomForEvents} but leaves no request to be told about room. */
  synchronized boolean isBacklogged() {
    return eventResponses >= maxQueuedResponses || eventBytes >= maxQueuedBytes;
  }

  void add(PendingResponse r) {
    synchronized (this) {
      if (closed) {
        return;
      }
      queue.addLast(r);
      if (r.hasEvents()) {
        eventResponses++;
        eventBytes += r.eventBytes();
      } else {
        controlResponses++;
      }
    }
    requestDrain();
  }

  /** Asks the client for its next request, unless too many control responses are waiting. */
  void requestNextInbound() {
    if (call == null) {
      return;
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      if (controlResponses >= MAX_QUEUED_CONTROL_RESPONSES) {
        inboundPaused = true;
        return;
      }
    }
    call.request(1);
  }

  void close() {
    synchronized (this) {
      closed = true;
      queue.clear();
      eventResponses = 0;
      controlResponses = 0;
      eventBytes = 0;
    }
  }

  synchronized int size() {
    return queue.size();
  }

  void requestDrain() {
    if (drainScheduled.compareAndSet(false, true)) {
      try {
        sendExecutor.execute(this::drain);
      } catch (RejectedExecutionException e) {
        // The hub has stopped; nothing more will be sent.
        drainScheduled.set(false);
      }
    }
  }

  private boolean isReady() {
    return call == null || call.isReady();
  }

  private void drain() {
    while (true) {
      while (isReady()) {
        PendingResponse next;
        boolean roomBack = false;
        boolean resumeInbound = false;
        synchronized (this) {
          next = closed ? null : queue.pollFirst();
          if (next == null) {
            break;
          }
          if (next.hasEvents()) {
            eventResponses--;
            eventBytes -= next.eventBytes();
          } else {
            controlResponses--;
          }
          if (wantsRoom && eventResponses <= maxQueuedResponses / 2 && eventBytes <= maxQueuedBytes / 2) {
            wantsRoom = false;
            roomBack = true;
          }
          if (inboundPaused && controlResponses < MAX_QUEUED_CONTROL_RESPONSES) {
            inboundPaused = false;
            resumeInbound = true;
          }
        }
        if (!send(next)) {
          onSendFailure.run();
          drainScheduled.set(false);
          return;
        }
        if (resumeInbound) {
          call.request(1);
        }
        if (roomBack) {
          onRoom.run();
        }
      }
      drainScheduled.set(false);
      // A producer or the ready handler may have come between the last check and the reset
      // above and found a drain still scheduled; look again so their work is not stranded.
      synchronized (this) {
        if (closed || queue.isEmpty()) {
          return;
        }
      }
      if (!isReady() || !drainScheduled.compareAndSet(false, true)) {
        return;
      }
    }
  }

  private boolean send(PendingResponse r) {
    try {
      WatchResponse whole = r.toResponse(headers);
      if (r.fragment()) {
        for (WatchResponse part : Fragmenter.split(whole, fragmentThresholdBytes)) {
          observer.onNext(part);
        }
      } else {
        observer.onNext(whole);
      }
      return true;
    } catch (RuntimeException e) {
      // The call was cancelled or closed under us; the stream is finished.
      return false;
    }
  }
}
