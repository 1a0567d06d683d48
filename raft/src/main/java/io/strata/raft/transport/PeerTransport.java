package io.strata.raft.transport;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.strata.raft.proto.Message;
import io.strata.raft.proto.MessageType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries Raft messages between members over gRPC (see {@code transport.proto}): it serves this
 * member's peer URLs, and keeps per peer two long-lived streams (appends, and everything else so
 * that heartbeats never wait behind appends) plus a separate connection for snapshots.
 *
 * <p>{@link #send} is meant for the raft thread and never blocks: it writes messages into a
 * peer's open stream while gRPC has room, and otherwise puts them into bounded per-peer queues;
 * what cannot be queued is dropped and reported through {@link MessageHandler#unreachable}.
 * Peers may be added, updated and removed from any thread.
 */
public final class PeerTransport implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(PeerTransport.class);
  private static final long closeWaitMillis = 5_000;

  private final TransportOptions options;
  private final MessageHandler handler;
  private final Map<Long, Peer> peers = new ConcurrentHashMap<>();
  // Members removed from the cluster: their streams are refused with etcd's "removed" text.
  private final Set<Long> removed = ConcurrentHashMap.newKeySet();
  private final ExecutorService snapshotExecutor;
  private final RaftPeerService service;
  private Server server;
  private volatile boolean closed;

  public PeerTransport(TransportOptions options, MessageHandler handler) {
    this.options = options;
    this.handler = handler;
    this.service = new RaftPeerService(options.localId(), handler);
    AtomicInteger threads = new AtomicInteger();
    this.snapshotExecutor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, "raft-snapshot-sender-" + threads.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts serving peers on every listen URL; throws if one cannot be bound. */
  public synchronized void start() throws IOException {
    if (server != null || closed) {
      throw new IllegalStateException("the peer transport was already started");
    }
    List<URI> urls = options.listenPeerUrls();
    NettyServerBuilder builder = NettyServerBuilder.forAddress(PeerUrls.listenAddress(urls.get(0)));
    for (URI url : urls.subList(1, urls.size())) {
      builder.addListenAddress(PeerUrls.listenAddress(url));
    }
    long keepAliveMillis = options.keepAliveInterval().toMillis();
    server = builder
        // The handler only enqueues, so messages are handed over on the event loop itself.
        .directExecutor()
        // A restarted member must get its port back although old connections linger in TIME_WAIT.
        .withOption(ChannelOption.SO_REUSEADDR, true)
        .maxInboundMessageSize(options.maxMessageBytes())
        .keepAliveTime(keepAliveMillis, TimeUnit.MILLISECONDS)
        .keepAliveTimeout(keepAliveMillis, TimeUnit.MILLISECONDS)
        .permitKeepAliveTime(Math.min(keepAliveMillis, 5_000), TimeUnit.MILLISECONDS)
        .permitKeepAliveWithoutCalls(true)
        .addService(ServerInterceptors.intercept(service,
            new PeerAdmission(options.localId(), options.clusterId(), removed::contains, peers::containsKey)))
        .build()
        .start();
    log.info("started peer transport: local-member-id={} cluster-id={} listen-peer-urls={} bound={}",
        PeerIdentity.hex(options.localId()), PeerIdentity.hex(options.clusterId()), urls, listenAddresses());
  }

  /** The addresses actually bound (with the chosen port where a listen URL asked for port 0). */
  public synchronized List<InetSocketAddress> listenAddresses() {
    if (server == null) {
      throw new IllegalStateException("the peer transport is not started");
    }
    List<InetSocketAddress> bound = new ArrayList<>();
    for (SocketAddress a : server.getListenSockets()) {
      bound.add((InetSocketAddress) a);
    }
    return bound;
  }

  /** Starts sending to member {@code id} at {@code peerUrls}; if it is already known, updates its URLs. */
  public void addPeer(long id, List<URI> peerUrls) {
    if (id == 0 || id == options.localId()) {
      throw new IllegalArgumentException("cannot add peer " + PeerIdentity.hex(id));
    }
    if (closed) {
      return;
    }
    removed.remove(id);
    Peer[] created = new Peer[1];
    Peer existing = peers.computeIfAbsent(id, k -> created[0] = new Peer(id, peerUrls, options, handler,
        snapshotExecutor));
    if (created[0] == null) {
      existing.updateUrls(peerUrls);
      return;
    }
    created[0].start();
    log.info("added remote peer: local-member-id={} remote-peer-id={} remote-peer-urls={}",
        PeerIdentity.hex(options.localId()), PeerIdentity.hex(id), peerUrls);
    if (closed) {
      // close() may have run between the check above and the insertion.
      removePeerQuietly(id);
    }
  }

  /** Points member {@code id} at new URLs; its streams reconnect there. */
  public void updatePeer(long id, List<URI> peerUrls) {
    Peer p = peers.get(id);
    if (p == null) {
      throw new IllegalArgumentException("unknown peer " + PeerIdentity.hex(id));
    }
    p.updateUrls(peerUrls);
  }

  /**
   * Stops sending to member {@code id} and from now on refuses its streams: a removed member
   * never comes back under the same id.
   */
  public void removePeer(long id) {
    removed.add(id);
    service.disconnect(id, Status.PERMISSION_DENIED.withDescription(PeerAdmission.senderRemoved));
    if (removePeerQuietly(id)) {
      log.info("removed remote peer: local-member-id={} removed-remote-peer-id={}",
          PeerIdentity.hex(options.localId()), PeerIdentity.hex(id));
    }
  }

  private boolean removePeerQuietly(long id) {
    Peer p = peers.remove(id);
    if (p == null) {
      return false;
    }
    p.close();
    return true;
  }

  /**
   * Sends or queues each message for its peer. Never blocks: a message for a peer whose queue is
   * full is dropped and the peer reported unreachable (possibly on this thread); a message for
   * an unknown peer is dropped silently, as Raft may still address a member being removed. The
   * messages for one peer are handed over together, so that they leave as one batch per lane.
   */
  public void send(List<Message> messages) {
    if (messages.size() == 1) {
      Message m = messages.get(0);
      Peer p = peerFor(m);
      if (p != null) {
        p.send(messages);
      }
      return;
    }
    // A few peers at most: a list of pairs beats a map here.
    List<Peer> targets = new ArrayList<>(4);
    List<List<Message>> perPeer = new ArrayList<>(4);
    for (Message m : messages) {
      Peer p = peerFor(m);
      if (p == null) {
        continue;
      }
      int i = targets.indexOf(p);
      if (i < 0) {
        targets.add(p);
        perPeer.add(new ArrayList<>(messages.size()));
        i = targets.size() - 1;
      }
      perPeer.get(i).add(m);
    }
    for (int i = 0; i < targets.size(); i++) {
      targets.get(i).send(perPeer.get(i));
    }
  }

  /** The peer {@code m} is for, or null (and the message dropped) if it is not known. */
  private Peer peerFor(Message m) {
    Peer p = peers.get(m.getTo());
    if (p == null) {
      log.debug("ignored message send request; unknown remote peer target: type={} target-member-id={}",
          m.getType(), PeerIdentity.hex(m.getTo()));
      if (m.getType() == MessageType.MSG_SNAP) {
        handler.snapshotStatus(m.getTo(), true);
      }
    }
    return p;
  }

  /**
   * Whether both streams to {@code peerId} are established and accepted by the peer. A dead
   * connection is noticed by the failed send, or by keepalive pings within two
   * {@code keepAliveInterval}s when nothing is sent.
   */
  public boolean isActive(long peerId) {
    Peer p = peers.get(peerId);
    return p != null && p.status().isActive();
  }

  @Override
  public void close() {
    Server s;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      s = server;
    }
    List<Peer> all = new ArrayList<>(peers.values());
    peers.clear();
    for (Peer p : all) {
      p.close();
    }
    if (s != null) {
      s.shutdownNow();
    }
    snapshotExecutor.shutdownNow();
    try {
      for (Peer p : all) {
        p.awaitTermination(closeWaitMillis);
      }
      if (s != null) {
        s.awaitTermination(closeWaitMillis, TimeUnit.MILLISECONDS);
      }
      snapshotExecutor.awaitTermination(closeWaitMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("stopped peer transport: local-member-id={}", PeerIdentity.hex(options.localId()));
  }
}
