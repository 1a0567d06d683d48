package io.strata.conformance.differential;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import io.etcd.jetcd.api.LeaseTimeToLiveResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Clears what must differ between two independent clusters, and nothing else: the identity of
 * the cluster and member and the raft term in every response header, at any depth (a txn
 * nests whole responses), plus the two wall-clock facts of a lease's time-to-live.
 */
final class ResponseNormaliser {
    private static final String HEADER_TYPE = "etcdserverpb.ResponseHeader";
    private static final List<String> IDENTITY_FIELDS = List.of("cluster_id", "member_id", "raft_term");
    /**
     * How far a lease's remaining TTL may fall below its granted TTL during a run and still
     * count as "not expired yet"; runs last well under this.
     */
    static final long LEASE_TTL_SLACK_SECONDS = 600;

    private ResponseNormaliser() {}

    static Message normalise(Message message) {
        Message.Builder builder = message.toBuilder();
        if (message.getDescriptorForType().getFullName().equals(HEADER_TYPE)) {
            for (String name : IDENTITY_FIELDS) {
                builder.clearField(message.getDescriptorForType().findFieldByName(name));
            }
            return builder.build();
        }
        for (Map.Entry<FieldDescriptor, Object> entry : message.getAllFields().entrySet()) {
            FieldDescriptor field = entry.getKey();
            if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                continue;
            }
            if (field.isRepeated()) {
                builder.clearField(field);
                for (Object element : (List<?>) entry.getValue()) {
                    builder.addRepeatedField(field, normalise((Message) element));
                }
            } else {
                builder.setField(field, normalise((Message) entry.getValue()));
            }
        }
        Message normalised = builder.build();
        if (normalised instanceof LeaseTimeToLiveResponse timeToLive) {
            return normaliseTimeToLive(timeToLive);
        }
        return normalised;
    }

    /**
     * The remaining TTL is rounded wall-clock time, so two servers granted the same TTL a few
     * milliseconds apart may report seconds that differ; any value a live lease can have maps to
     * the granted TTL. The attached keys come from a Go map in etcd, whose order is random by
     * design, so they are sorted.
     */
    private static LeaseTimeToLiveResponse normaliseTimeToLive(LeaseTimeToLiveResponse response) {
        LeaseTimeToLiveResponse.Builder builder = response.toBuilder();
        long granted = response.getGrantedTTL();
        if (response.getTTL() > 0 && response.getTTL() <= granted
                && response.getTTL() >= granted - LEASE_TTL_SLACK_SECONDS) {
            builder.setTTL(granted);
        }
        List<ByteString> keys = new ArrayList<>(response.getKeysList());
        keys.sort(ByteString.unsignedLexicographicalComparator());
        builder.clearKeys().addAllKeys(keys);
        return builder.build();
    }
}
