package io.strata.server.member;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.grpc.GrpcService;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import io.strata.api.etcdserverpb.KVGrpc;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.PutResponse;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RangeResponse;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The two interceptors on a real gRPC server, as the client port registers them. */
class MemberInterceptorsOverGrpcTest {
  private final AtomicBoolean learner = new AtomicBoolean();
  private final AtomicLong leader = new AtomicLong(1);
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() {
    KVGrpc.KVImplBase kv = new KVGrpc.KVImplBase() {
      @Override
      public void range(RangeRequest request, StreamObserver<RangeResponse> observer) {
        observer.onNext(RangeResponse.newBuilder().setCount(1).build());
        observer.onCompleted();
      }

      @Override
      public void put(PutRequest request, StreamObserver<PutResponse> observer) {
        observer.onNext(PutResponse.getDefaultInstance());
        observer.onCompleted();
      }
    };
    server = Server.builder().http(0)
        .service(GrpcService.builder().addService(kv)
            .intercept(new RequireLeaderInterceptor(leader::get), new LearnerRequestGate(learner::get))
            .build())
        .build();
    server.start().join();
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.activeLocalPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.stop().join();
  }

  @Test
  void learnerAnswersSerializableRangeAndRefusesPut() {
    learner.set(true);
    KVGrpc.KVBlockingStub stub = KVGrpc.newBlockingStub(channel);
    assertThat(stub.range(RangeRequest.newBuilder().setSerializable(true).build()).getCount()).isEqualTo(1);
    assertThatThrownBy(() -> stub.put(PutRequest.getDefaultInstance()))
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessage("UNAVAILABLE: etcdserver: rpc not supported for learner");
    learner.set(false);
    assertThat(stub.put(PutRequest.getDefaultInstance())).isNotNull();
  }

  @Test
  void requestRequiringALeaderFailsWithoutOne() {
    Metadata headers = new Metadata();
    headers.put(RequireLeaderInterceptor.requireLeaderKey, "true");
    KVGrpc.KVBlockingStub requiring = KVGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    assertThat(requiring.range(RangeRequest.getDefaultInstance()).getCount()).isEqualTo(1);
    leader.set(0);
    assertThatThrownBy(() -> requiring.range(RangeRequest.getDefaultInstance()))
        .isInstanceOf(StatusRuntimeException.class)
        .hasMessage("UNAVAILABLE: etcdserver: no leader");
    assertThat(KVGrpc.newBlockingStub(channel).range(RangeRequest.getDefaultInstance()).getCount()).isEqualTo(1);
  }
}
