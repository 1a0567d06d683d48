package io.strata.raft.transport;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.strata.raft.proto.Message;
import io.strata.raft.transport.proto.MessageBatch;
import io.strata.raft.transport.proto.RaftPeerGrpc;
import io.strata.raft.transport.proto.SnapshotAck;
import io.strata.raft.transport.proto.SnapshotChunk;
import io.strata.raft.transport.proto.StreamAck;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A peer that speaks the wire protocol but lets a test hold back what a real one does at once:
 * accepting streams, and reading snapshot chunks. It records every batch as it arrived.
 */
final class FakePeer implements AutoCloseable {
  final List<MessageBatch> batches = new CopyOnWriteArrayList<>();
  final List<SnapshotChunk> snapshotChunks = new CopyOnWriteArrayList<>();
  private final List<StreamObserver<StreamAck>> heldAcks = new ArrayList<>();
  private boolean holdAcks;
  private boolean stallSnapshots;
  private ServerCallStreamObserver<SnapshotAck> snapshotCall;
  private final Server server;

  FakePeer(boolean holdAcks, boolean stallSnapshots) throws IOException {
    this.holdAcks = holdAcks;
    this.stallSnapshots = stallSnapshots;
    this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .directExecutor()
        .maxInboundMessageSize(64 * 1024 * 1024)
        .addService(new Service())
        .build()
        .start();
  }

  List<URI> urls() {
    int port = ((InetSocketAddress) server.getListenSockets().get(0)).getPort();
    return List.of(URI.create("http://127.0.0.1:" + port));
  }

  List<Message> messages() {
    List<Message> all = new ArrayList<>();
    for (MessageBatch b : batches) {
      all.addAll(b.getMessagesList());
    }
    return all;
  }

  synchronized int heldStreams() {
    return heldAcks.size();
  }

  /** Accepts the streams held so far and every later one. */
  synchronized void acceptStreams() {
    holdAcks = false;
    for (StreamObserver<StreamAck> acks : heldAcks) {
      acks.onNext(StreamAck.getDefaultInstance());
    }
    heldAcks.clear();
  }

  /** Lets a stalled snapshot flow to its end. */
  synchronized void resumeSnapshots() {
    stallSnapshots = false;
    if (snapshotCall != null) {
      snapshotCall.request(Integer.MAX_VALUE);
    }
  }

  @Override
  public void close() {
    server.shutdownNow();
    try {
      server.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Service extends RaftPeerGrpc.RaftPeerImplBase {
    @Override
    public StreamObserver<MessageBatch> stream(StreamObserver<StreamAck> acks) {
      synchronized (FakePeer.this) {
        if (holdAcks) {
          heldAcks.add(acks);
        } else {
          acks.onNext(StreamAck.getDefaultInstance());
        }
      }
      return new StreamObserver<>() {
        @Override
        public void onNext(MessageBatch batch) {
          batches.add(batch);
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          acks.onCompleted();
        }
      };
    }

    @Override
    public StreamObserver<SnapshotChunk> sendSnapshot(StreamObserver<SnapshotAck> ack) {
      ServerCallStreamObserver<SnapshotAck> call = (ServerCallStreamObserver<SnapshotAck>) ack;
      call.disableAutoRequest();
      synchronized (FakePeer.this) {
        snapshotCall = call;
        call.request(stallSnapshots ? 1 : Integer.MAX_VALUE);
      }
      return new StreamObserver<>() {
        @Override
        public void onNext(SnapshotChunk chunk) {
          snapshotChunks.add(chunk);
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          ack.onNext(SnapshotAck.getDefaultInstance());
          ack.onCompleted();
        }
      };
    }
  }
}
