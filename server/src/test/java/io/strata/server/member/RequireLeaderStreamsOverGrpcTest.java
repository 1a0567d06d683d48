package io.strata.server.member;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.WatchGrpc;
import io.strata.api.etcdserverpb.WatchRequest;
import io.strata.api.etcdserverpb.WatchResponse;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Streams opened with {@code hasleader: true} on a real gRPC server: ended with etcd's "no
 * leader" error after three leaderless checks in a row, while the service sees a cancellation
 * and streams without the header stay open.
 */
class RequireLeaderStreamsOverGrpcTest {
  private final AtomicLong leader = new AtomicLong(1);
  private final RequireLeaderInterceptor interceptor = new RequireLeaderInterceptor(leader::get);
  private final CountDownLatch serviceCancelled = new CountDownLatch(1);
  private final BlockingQueue<ServerCallStreamObserver<WatchResponse>> serverStreams = new LinkedBlockingQueue<>();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    WatchGrpc.WatchImplBase watch = new WatchGrpc.WatchImplBase() {
      @Override
      public StreamObserver<WatchRequest> watch(StreamObserver<WatchResponse> responses) {
        ServerCallStreamObserver<WatchResponse> call = (ServerCallStreamObserver<WatchResponse>) responses;
        call.setOnCancelHandler(serviceCancelled::countDown);
        serverStreams.add(call);
        return new StreamObserver<>() {
          @Override
          public void onNext(WatchRequest request) {
            responses.onNext(WatchResponse.newBuilder().setCreated(true).build());
          }

          @Override
          public void onError(Throwable t) {}

          @Override
          public void onCompleted() {}
        };
      }
    };
    server = Server.builder().http(0)
        .service(GrpcService.builder().addService(watch).intercept(interceptor).build())
        .build();
    server.start().join();
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.activeLocalPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.stop().join();
  }

  private record Client(StreamObserver<WatchRequest> requests, BlockingQueue<Object> received) {}

  private Client open(boolean requireLeader) throws InterruptedException {
    WatchGrpc.WatchStub stub = WatchGrpc.newStub(channel);
    if (requireLeader) {
      Metadata headers = new Metadata();
      headers.put(RequireLeaderInterceptor.requireLeaderKey, "true");
      stub = stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }
    BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    StreamObserver<WatchRequest> requests = stub.watch(new StreamObserver<>() {
      @Override
      public void onNext(WatchResponse response) {
        received.add(response);
      }

      @Override
      public void onError(Throwable t) {
        received.add(Status.fromThrowable(t));
      }

      @Override
      public void onCompleted() {
        received.add("completed");
      }
    });
    requests.onNext(WatchRequest.getDefaultInstance());
    assertThat(received.poll(10, TimeUnit.SECONDS)).isInstanceOf(WatchResponse.class);
    return new Client(requests, received);
  }

  @Test
  void streamRequiringALeaderEndsAfterThreeLeaderlessChecksAndOthersStayOpen() throws Exception {
    Client requiring = open(true);
    Client plain = open(false);
    assertThat(interceptor.leaderBoundStreams()).isEqualTo(1);

    leader.set(0);
    interceptor.checkLeader();
    interceptor.checkLeader();
    assertThat(requiring.received().poll(200, TimeUnit.MILLISECONDS)).as("still open after two checks").isNull();
    interceptor.checkLeader();

    Object end = requiring.received().poll(10, TimeUnit.SECONDS);
    assertThat(end).isInstanceOf(Status.class);
    Status status = (Status) end;
    assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(status.getDescription()).isEqualTo("etcdserver: no leader");
    assertThat(serviceCancelled.await(10, TimeUnit.SECONDS)).as("the service saw its stream cancelled").isTrue();
    assertThat(interceptor.leaderBoundStreams()).isZero();

    plain.requests().onNext(WatchRequest.getDefaultInstance());
    assertThat(plain.received().poll(10, TimeUnit.SECONDS)).as("the stream without hasleader").isInstanceOf(WatchResponse.class);
    plain.requests().onCompleted();
  }

  @Test
  void leaderFoundAgainBeforeTheThirdCheckKeepsTheStream() throws Exception {
    Client requiring = open(true);
    leader.set(0);
    interceptor.checkLeader();
    interceptor.checkLeader();
    leader.set(2);
    interceptor.checkLeader();
    leader.set(0);
    interceptor.checkLeader();
    interceptor.checkLeader();

    requiring.requests().onNext(WatchRequest.getDefaultInstance());
    assertThat(requiring.received().poll(10, TimeUnit.SECONDS)).isInstanceOf(WatchResponse.class);
    assertThat(interceptor.leaderBoundStreams()).isEqualTo(1);
    requiring.requests().onCompleted();
  }

  @Test
  void sendsAfterTheEndAreDroppedInsteadOfFailingTheService() throws Exception {
    Client requiring = open(true);
    ServerCallStreamObserver<WatchResponse> serverSide = serverStreams.poll(10, TimeUnit.SECONDS);
    leader.set(0);
    for (int i = 0; i < LeaderBoundStreams.maxLeaderlessChecks; i++) {
      interceptor.checkLeader();
    }
    assertThat(serviceCancelled.await(10, TimeUnit.SECONDS)).isTrue();
    serverSide.onNext(WatchResponse.getDefaultInstance());
    assertThat(requiring.received().poll(10, TimeUnit.SECONDS)).isInstanceOf(Status.class);
    assertThat(requiring.received().poll(200, TimeUnit.MILLISECONDS)).isNull();
  }
}
