package io.strata.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.strata.api.etcdserverpb.Compare;
import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.etcdserverpb.LeaseGrantRequest;
import io.strata.api.etcdserverpb.Member;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RequestOp;
import io.strata.api.etcdserverpb.ResponseHeader;
import io.strata.api.etcdserverpb.ResponseOp;
import io.strata.api.etcdserverpb.StatusResponse;
import io.strata.api.etcdserverpb.TxnRequest;
import io.strata.api.etcdserverpb.WatchCreateRequest;
import io.strata.api.etcdserverpb.WatchResponse;
import io.strata.api.mvccpb.Event;
import io.strata.api.mvccpb.KeyValue;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Pins the field names and numbers of the messages clients use most against a table written
 * out by hand from etcd 3.5's protos. A renumbered or renamed field would still compile and
 * still round-trip between our own classes, so only an independent table catches it.
 */
class EtcdFieldNumbersTest {

  static Stream<Arguments> etcdMessages() {
    return Stream.of(
        Arguments.of("etcdserverpb.ResponseHeader", ResponseHeader.getDescriptor(),
            fields("cluster_id", 1, "member_id", 2, "revision", 3, "raft_term", 4)),
        Arguments.of("etcdserverpb.RangeRequest", RangeRequest.getDescriptor(),
            fields("key", 1, "range_end", 2, "limit", 3, "revision", 4, "sort_order", 5,
                "sort_target", 6, "serializable", 7, "keys_only", 8, "count_only", 9,
                "min_mod_revision", 10, "max_mod_revision", 11, "min_create_revision", 12,
                "max_create_revision", 13)),
        Arguments.of("etcdserverpb.PutRequest", PutRequest.getDescriptor(),
            fields("key", 1, "value", 2, "lease", 3, "prev_kv", 4, "ignore_value", 5,
                "ignore_lease", 6)),
        Arguments.of("etcdserverpb.DeleteRangeRequest", DeleteRangeRequest.getDescriptor(),
            fields("key", 1, "range_end", 2, "prev_kv", 3)),
        Arguments.of("etcdserverpb.TxnRequest", TxnRequest.getDescriptor(),
            fields("compare", 1, "success", 2, "failure", 3)),
        Arguments.of("etcdserverpb.Compare", Compare.getDescriptor(),
            fields("result", 1, "target", 2, "key", 3, "version", 4, "create_revision", 5,
                "mod_revision", 6, "value", 7, "lease", 8, "range_end", 64)),
        Arguments.of("etcdserverpb.RequestOp", RequestOp.getDescriptor(),
            fields("request_range", 1, "request_put", 2, "request_delete_range", 3,
                "request_txn", 4)),
        Arguments.of("etcdserverpb.ResponseOp", ResponseOp.getDescriptor(),
            fields("response_range", 1, "response_put", 2, "response_delete_range", 3,
                "response_txn", 4)),
        Arguments.of("etcdserverpb.WatchCreateRequest", WatchCreateRequest.getDescriptor(),
            fields("key", 1, "range_end", 2, "start_revision", 3, "progress_notify", 4,
                "filters", 5, "prev_kv", 6, "watch_id", 7, "fragment", 8)),
        Arguments.of("etcdserverpb.WatchResponse", WatchResponse.getDescriptor(),
            fields("header", 1, "watch_id", 2, "created", 3, "canceled", 4,
                "compact_revision", 5, "cancel_reason", 6, "fragment", 7, "events", 11)),
        Arguments.of("etcdserverpb.LeaseGrantRequest", LeaseGrantRequest.getDescriptor(),
            fields("TTL", 1, "ID", 2)),
        Arguments.of("etcdserverpb.StatusResponse", StatusResponse.getDescriptor(),
            fields("header", 1, "version", 2, "dbSize", 3, "leader", 4, "raftIndex", 5,
                "raftTerm", 6, "raftAppliedIndex", 7, "errors", 8, "dbSizeInUse", 9,
                "isLearner", 10)),
        Arguments.of("etcdserverpb.Member", Member.getDescriptor(),
            fields("ID", 1, "name", 2, "peerURLs", 3, "clientURLs", 4, "isLearner", 5)),
        Arguments.of("mvccpb.KeyValue", KeyValue.getDescriptor(),
            fields("key", 1, "create_revision", 2, "mod_revision", 3, "version", 4,
                "value", 5, "lease", 6)),
        Arguments.of("mvccpb.Event", Event.getDescriptor(),
            fields("type", 1, "kv", 2, "prev_kv", 3)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("etcdMessages")
  void messageHasExactlyEtcdsFieldNamesAndNumbers(
      String etcdFullName, Descriptor descriptor, Map<String, Integer> etcdFields) {
    assertThat(descriptor.getFullName()).isEqualTo(etcdFullName);
    Map<String, Integer> ours = descriptor.getFields().stream()
        .collect(Collectors.toMap(FieldDescriptor::getName, FieldDescriptor::getNumber,
            (a, b) -> a, LinkedHashMap::new));
    assertThat(ours).containsExactlyInAnyOrderEntriesOf(etcdFields);
  }

  private static Map<String, Integer> fields(Object... nameNumberPairs) {
    Map<String, Integer> table = new LinkedHashMap<>();
    for (int i = 0; i < nameNumberPairs.length; i += 2) {
      table.put((String) nameNumberPairs[i], (Integer) nameNumberPairs[i + 1]);
    }
    return table;
  }
}
