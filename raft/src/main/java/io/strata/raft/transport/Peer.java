package io.strata.raft.transport;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.strata.raft.proto.Message;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One remote member as this member sends to it: its URLs and connection, a lane for appends, a
 * lane for everything small (heartbeats, votes, responses), and at most one snapshot in flight.
 */
final class Peer {
  private static final Logger log = LoggerFactory.getLogger(Peer.class);
  private static final long dropWarnIntervalNanos = 1_000_000_000L;

  private final long id;
  private final TransportOptions options;
  private final MessageHandler handler;
  private final ExecutorService snapshotExecutor;
  private final ClientInterceptor identity;
  private final PeerStatus status;
  private final PeerLane messages;
  private final PeerLane appends;
  private final SnapshotSender snapshots;
  private final AtomicBoolean snapshotInFlight = new AtomicBoolean();
  private final AtomicLong lastDropWarnNanos = new AtomicLong(System.nanoTime() - dropWarnIntervalNanos);

  // Guarded by this. The connection both lanes share; replaced when the URLs change, or when a
  // dial fails and another URL may work.
  private List<URI> urls;
  private int urlIndex;
  private ManagedChannel channel;
  private boolean closed;

  Peer(long id, List<URI> urls, TransportOptions options, MessageHandler handler, ExecutorService snapshotExecutor) {
    this.id = id;
    this.options = options;
    this.handler = handler;
    this.snapshotExecutor = snapshotExecutor;
    this.urls = PeerUrls.checked(urls);
    this.identity = MetadataUtils.newAttachHeadersInterceptor(
        PeerIdentity.headers(options.clusterId(), options.localId(), id));
    this.status = new PeerStatus(options.localId(), id, 2);
    this.channel = PeerChannels.open(this.urls.get(0), options);
    this.messages = new PeerLane(this, "stream Message", options);
    this.appends = new PeerLane(this, "stream MsgApp", options);
    this.snapshots = new SnapshotSender(this, options);
  }

  void start() {
    messages.start();
    appends.start();
  }

  long id() {
    return id;
  }

  long localId() {
    return options.localId();
  }

  PeerStatus status() {
    return status;
  }

  ClientInterceptor identity() {
    return identity;
  }

  synchronized ManagedChannel channel() {
    return channel;
  }

  synchronized URI url() {
    return urls.get(urlIndex);
  }

  /**
   * Sends {@code outgoing} (all addressed to this peer, in order) on their lanes, or starts
   * sending a snapshot. Never blocks; when a message cannot be taken the handler hears of it at
   * once. Each lane gets its share as one list, so that it can go out as one batch.
   */
  void send(List<Message> outgoing) {
    List<Message> forAppends = null;
    List<Message> forMessages = null;
    for (Message m : outgoing) {
      switch (m.getType()) {
        case MSG_SNAP -> sendSnapshot(m);
        case MSG_APP -> {
          if (forAppends == null) {
            forAppends = new ArrayList<>(outgoing.size());
          }
          forAppends.add(m);
        }
        default -> {
          if (forMessages == null) {
            forMessages = new ArrayList<>(outgoing.size());
          }
          forMessages.add(m);
        }
      }
    }
    if (forAppends != null) {
      enqueue(appends, forAppends);
    }
    if (forMessages != null) {
      enqueue(messages, forMessages);
    }
  }

  private void enqueue(PeerLane lane, List<Message> batch) {
    int dropped = lane.offer(batch);
    if (dropped == 0) {
      return;
    }
    long now = System.nanoTime();
    long last = lastDropWarnNanos.get();
    if (now - last >= dropWarnIntervalNanos && lastDropWarnNanos.compareAndSet(last, now)) {
      log.warn("dropped internal Raft message since sending buffer is full (overloaded network): "
              + "message-type={} local-member-id={} remote-peer-id={} remote-peer-active={}",
          batch.get(batch.size() - 1).getType(), PeerIdentity.hex(localId()), PeerIdentity.hex(id),
          status.isActive());
    }
    for (int i = 0; i < dropped; i++) {
      reportUnreachable();
    }
  }

  private void sendSnapshot(Message m) {
    // Raft sends one snapshot at a time to a member; a second one while the first is in flight
    // would only compete with it for the same link.
    if (!snapshotInFlight.compareAndSet(false, true)) {
      log.warn("dropped snapshot message: another snapshot to this peer is in flight: remote-peer-id={}",
          PeerIdentity.hex(id));
      handler.snapshotStatus(id, true);
      return;
    }
    try {
      snapshotExecutor.execute(() -> {
        String failure;
        try {
          failure = snapshots.send(m);
        } catch (InterruptedException e) {
          failure = "interrupted";
        } catch (RuntimeException e) {
          failure = e.toString();
          log.warn("failed to send database snapshot: remote-peer-id={}", PeerIdentity.hex(id), e);
        } finally {
          snapshotInFlight.set(false);
        }
        if (failure != null) {
          handler.unreachable(id);
        }
        handler.snapshotStatus(id, failure != null);
      });
    } catch (RejectedExecutionException e) {
      snapshotInFlight.set(false);
      handler.snapshotStatus(id, true);
    }
  }

  void reportUnreachable() {
    handler.unreachable(id);
  }

  /**
   * A lane could not open a stream over {@code used}. With several URLs the next one is tried;
   * a refusal because this member was removed is passed on to the handler.
   */
  void dialFailed(ManagedChannel used, Status status) {
    if (status != null && PeerAdmission.senderRemoved.equals(status.getDescription())) {
      log.error("the member has been permanently removed from the cluster: local-member-id={} "
          + "refused-by-peer-id={}", PeerIdentity.hex(localId()), PeerIdentity.hex(id));
      handler.removedFromCluster(id);
    }
    boolean gone;
    synchronized (this) {
      gone = !closed && used == channel && this.status.dialFailed(urls.get(urlIndex), urls, status);
    }
    if (gone) {
      log.warn("remote peer is gone: every URL refused a connection since its streams ended: "
          + "local-member-id={} remote-peer-id={}", PeerIdentity.hex(localId()), PeerIdentity.hex(id));
      handler.peerGone(id);
    }
    ManagedChannel old;
    synchronized (this) {
      if (closed || used != channel || urls.size() == 1) {
        return;
      }
      urlIndex = (urlIndex + 1) % urls.size();
      old = channel;
      channel = PeerChannels.open(urls.get(urlIndex), options);
    }
    old.shutdownNow();
  }

  void updateUrls(List<URI> newUrls) {
    List<URI> checked = PeerUrls.checked(newUrls);
    ManagedChannel old;
    synchronized (this) {
      if (closed || checked.equals(urls)) {
        return;
      }
      urls = checked;
      urlIndex = 0;
      old = channel;
      channel = PeerChannels.open(urls.get(0), options);
    }
    log.info("updated remote peer: local-member-id={} remote-peer-id={} remote-peer-urls={}",
        PeerIdentity.hex(localId()), PeerIdentity.hex(id), checked);
    // Streams on the old connection fail and their lanes redial over the new one.
    old.shutdownNow();
  }

  void close() {
    ManagedChannel ch;
    synchronized (this) {
      closed = true;
      ch = channel;
    }
    messages.close();
    appends.close();
    snapshots.close();
    ch.shutdownNow();
  }

  void awaitTermination(long timeoutMillis) throws InterruptedException {
    messages.awaitTermination(timeoutMillis);
    appends.awaitTermination(timeoutMillis);
  }
}
