package io.strata.server.member;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.StatusRequest;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LearnerRequestGateTest {
  /** Records how the gate ended a call. */
  private static final class FakeCall extends ServerCall<Object, Object> {
    private final MethodDescriptor<Object, Object> method;
    Status closedWith;

    FakeCall(MethodDescriptor.MethodType type) {
      MethodDescriptor.Marshaller<Object> none = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(Object value) {
          throw new UnsupportedOperationException();
        }

        @Override
        public Object parse(InputStream stream) {
          throw new UnsupportedOperationException();
        }
      };
      this.method = MethodDescriptor.newBuilder(none, none).setType(type).setFullMethodName("svc/m").build();
    }

    @Override
    public void request(int numMessages) {}

    @Override
    public void sendHeaders(Metadata headers) {}

    @Override
    public void sendMessage(Object message) {}

    @Override
    public void close(Status status, Metadata trailers) {
      closedWith = status;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public Attributes getAttributes() {
      return Attributes.EMPTY;
    }

    @Override
    public MethodDescriptor<Object, Object> getMethodDescriptor() {
      return method;
    }
  }

  private final List<Object> handled = new ArrayList<>();
  private final ServerCallHandler<Object, Object> handler = (call, headers) -> new ServerCall.Listener<>() {
    @Override
    public void onMessage(Object message) {
      handled.add(message);
    }
  };

  @Test
  void learnerServesStatusAndSerializableRangeOnly() {
    LearnerRequestGate gate = new LearnerRequestGate(() -> true);

    FakeCall status = new FakeCall(MethodDescriptor.MethodType.UNARY);
    gate.interceptCall(status, new Metadata(), handler).onMessage(StatusRequest.getDefaultInstance());
    FakeCall serializable = new FakeCall(MethodDescriptor.MethodType.UNARY);
    gate.interceptCall(serializable, new Metadata(), handler).onMessage(RangeRequest.newBuilder().setSerializable(true).build());
    assertThat(handled).hasSize(2);
    assertThat(status.closedWith).isNull();

    FakeCall linearizable = new FakeCall(MethodDescriptor.MethodType.UNARY);
    gate.interceptCall(linearizable, new Metadata(), handler).onMessage(RangeRequest.getDefaultInstance());
    FakeCall put = new FakeCall(MethodDescriptor.MethodType.UNARY);
    gate.interceptCall(put, new Metadata(), handler).onMessage(PutRequest.getDefaultInstance());
    FakeCall watch = new FakeCall(MethodDescriptor.MethodType.BIDI_STREAMING);
    gate.interceptCall(watch, new Metadata(), handler);
    for (FakeCall refused : List.of(linearizable, put, watch)) {
      assertThat(refused.closedWith.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(refused.closedWith.getDescription()).isEqualTo("etcdserver: rpc not supported for learner");
    }
    assertThat(handled).hasSize(2);
  }

  @Test
  void votingMemberPassesEverythingThrough() {
    LearnerRequestGate gate = new LearnerRequestGate(() -> false);
    FakeCall put = new FakeCall(MethodDescriptor.MethodType.UNARY);
    gate.interceptCall(put, new Metadata(), handler).onMessage(PutRequest.getDefaultInstance());
    assertThat(put.closedWith).isNull();
    assertThat(handled).hasSize(1);
  }
}
