package io.strata.conformance;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.UnknownFieldSet;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.strata.conformance.harness.EtcdGrpc;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Lease/LeaseLeases, which jetcd's copy of etcd's protobufs lacks, called with hand-encoded
 * messages: the request is empty and the response is {@code header = 1, leases = 2} with each
 * LeaseStatus holding {@code ID = 1}.
 */
final class LeaseLeasesCall {
    static final int LEASES_FIELD = 2;
    static final int LEASE_STATUS_ID_FIELD = 1;
    static final long DEADLINE_SECONDS = 10;

    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };

    private static final MethodDescriptor<byte[], byte[]> LEASE_LEASES = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("etcdserverpb.Lease", "LeaseLeases"))
            .setRequestMarshaller(BYTES)
            .setResponseMarshaller(BYTES)
            .build();

    private LeaseLeasesCall() {}

    /** The ids of every lease the server holds, in the order it lists them. */
    static List<Long> leaseIds(EtcdGrpc grpc) {
        byte[] response = ClientCalls.blockingUnaryCall(grpc.channel(), LEASE_LEASES,
                io.grpc.CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS), new byte[0]);
        try {
            UnknownFieldSet fields = UnknownFieldSet.parseFrom(response);
            List<Long> ids = new ArrayList<>();
            if (!fields.hasField(LEASES_FIELD)) {
                return ids;
            }
            for (var status : fields.getField(LEASES_FIELD).getLengthDelimitedList()) {
                UnknownFieldSet statusFields = UnknownFieldSet.parseFrom(CodedInputStream.newInstance(status.toByteArray()));
                List<Long> id = statusFields.hasField(LEASE_STATUS_ID_FIELD)
                        ? statusFields.getField(LEASE_STATUS_ID_FIELD).getVarintList() : List.of(0L);
                ids.add(id.get(0));
            }
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException("unreadable LeaseLeasesResponse", e);
        }
    }
}
