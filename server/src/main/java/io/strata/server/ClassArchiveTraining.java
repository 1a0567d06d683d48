package io.strata.server;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.ClusterGrpc;
import io.strata.api.etcdserverpb.Compare;
import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.etcdserverpb.KVGrpc;
import io.strata.api.etcdserverpb.LeaseGrantRequest;
import io.strata.api.etcdserverpb.LeaseGrpc;
import io.strata.api.etcdserverpb.LeaseRevokeRequest;
import io.strata.api.etcdserverpb.MaintenanceGrpc;
import io.strata.api.etcdserverpb.MemberListRequest;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RequestOp;
import io.strata.api.etcdserverpb.StatusRequest;
import io.strata.api.etcdserverpb.TxnRequest;
import io.strata.api.etcdserverpb.WatchCreateRequest;
import io.strata.api.etcdserverpb.WatchGrpc;
import io.strata.api.etcdserverpb.WatchRequest;
import io.strata.api.etcdserverpb.WatchResponse;
import io.strata.server.config.ConfigParser;
import io.strata.server.config.Logging;
import io.strata.server.config.ParseOutcome;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Starts a one-member server in a temporary directory, sends it a few requests of each kind
 * and exits. The build runs it in a JVM started with {@code -XX:ArchiveClassesAtExit}, which
 * then writes every class loaded into a class data archive; {@code bin/strata} hands that
 * archive to the JVM, which maps the classes instead of loading and verifying them one by one
 * (about half of a start-up's time goes there).
 */
public final class ClassArchiveTraining {
  private ClassArchiveTraining() {}

  public static void main(String[] args) throws Exception {
    Path dir = Files.createTempDirectory("strata-class-archive");
    try {
      String client = "http://127.0.0.1:" + freePort();
      String peer = "http://127.0.0.1:" + freePort();
      ParseOutcome.Run run = (ParseOutcome.Run) ConfigParser.parse(new String[] {
          "--name=training", "--data-dir=" + dir.resolve("data"),
          "--listen-client-urls=" + client, "--advertise-client-urls=" + client,
          "--listen-peer-urls=" + peer, "--initial-advertise-peer-urls=" + peer,
          "--initial-cluster=training=" + peer, "--log-level=error"}, Map.of());
      Logging.configure(run.config());
      try (StrataServer server = StrataServer.start(run.config())) {
        sendRequests(run.config().listenClientUrls().get(0).getPort());
      }
    } finally {
      deleteTree(dir);
    }
    System.exit(0);
  }

  private static void sendRequests(int port) throws InterruptedException {
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext()
        .build();
    try {
      KVGrpc.KVBlockingStub kv = KVGrpc.newBlockingStub(channel);
      CountDownLatch event = new CountDownLatch(1);
      StreamObserver<WatchRequest> watch = WatchGrpc.newStub(channel).watch(
          new StreamObserver<>() {
            @Override
            public void onNext(WatchResponse response) {
              if (response.getEventsCount() > 0) {
                event.countDown();
              }
            }

            @Override
            public void onError(Throwable t) {
              event.countDown();
            }

            @Override
            public void onCompleted() {}
          });
      watch.onNext(WatchRequest.newBuilder().setCreateRequest(WatchCreateRequest.newBuilder()
          .setKey(bytes("k")).setRangeEnd(bytes("l")).setPrevKv(true)).build());
      long lease = LeaseGrpc.newBlockingStub(channel)
          .leaseGrant(LeaseGrantRequest.newBuilder().setTTL(60).build()).getID();
      for (int i = 0; i < 100; i++) {
        kv.put(PutRequest.newBuilder().setKey(bytes("k" + i)).setValue(bytes("v" + i))
            .setLease(i % 10 == 0 ? lease : 0).build());
        kv.range(RangeRequest.newBuilder().setKey(bytes("k" + i)).build());
      }
      kv.range(RangeRequest.newBuilder().setKey(bytes("k")).setRangeEnd(bytes("l"))
          .setLimit(10).setSerializable(true).build());
      kv.txn(TxnRequest.newBuilder()
          .addCompare(Compare.newBuilder().setKey(bytes("k1"))
              .setTarget(Compare.CompareTarget.MOD).setResult(Compare.CompareResult.GREATER))
          .addSuccess(RequestOp.newBuilder().setRequestPut(
              PutRequest.newBuilder().setKey(bytes("k1")).setValue(bytes("w"))))
          .addFailure(RequestOp.newBuilder().setRequestRange(
              RangeRequest.newBuilder().setKey(bytes("k1"))))
          .build());
      kv.deleteRange(DeleteRangeRequest.newBuilder().setKey(bytes("k2")).build());
      event.await(10, TimeUnit.SECONDS);
      watch.onCompleted();
      LeaseGrpc.newBlockingStub(channel)
          .leaseRevoke(LeaseRevokeRequest.newBuilder().setID(lease).build());
      ClusterGrpc.newBlockingStub(channel).memberList(MemberListRequest.getDefaultInstance());
      MaintenanceGrpc.newBlockingStub(channel).status(StatusRequest.getDefaultInstance());
    } finally {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static ByteString bytes(String s) {
    return ByteString.copyFromUtf8(s);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
