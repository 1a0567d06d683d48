package io.strata.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.strata.api.etcdserverpb.Compare;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.PutResponse;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RequestOp;
import io.strata.api.etcdserverpb.ResponseHeader;
import io.strata.api.etcdserverpb.TxnRequest;
import io.strata.api.etcdserverpb.WatchCancelRequest;
import io.strata.api.etcdserverpb.WatchCreateRequest;
import io.strata.api.etcdserverpb.WatchProgressRequest;
import io.strata.api.etcdserverpb.WatchRequest;
import io.strata.api.mvccpb.KeyValue;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Checks the encoded bytes themselves rather than the descriptors: the bytes are decoded as an
 * untyped field set, or compared with bytes worked out by hand from etcd's field numbers, so
 * the check does not lean on the generated code it is checking.
 */
class EtcdWireEncodingTest {

  @Test
  void rangeRequestWithEveryFieldSetUsesFieldsOneToThirteen() throws Exception {
    RangeRequest request = RangeRequest.newBuilder()
        .setKey(ByteString.copyFromUtf8("a"))
        .setRangeEnd(ByteString.copyFromUtf8("b"))
        .setLimit(3)
        .setRevision(4)
        .setSortOrder(RangeRequest.SortOrder.DESCEND)
        .setSortTarget(RangeRequest.SortTarget.VALUE)
        .setSerializable(true)
        .setKeysOnly(true)
        .setCountOnly(true)
        .setMinModRevision(10)
        .setMaxModRevision(11)
        .setMinCreateRevision(12)
        .setMaxCreateRevision(13)
        .build();

    UnknownFieldSet wire = UnknownFieldSet.parseFrom(request.toByteArray());

    assertThat(wire.asMap().keySet())
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13);
    assertThat(wire.getField(5).getVarintList()).containsExactly(2L);
    assertThat(wire.getField(6).getVarintList()).containsExactly(4L);
    assertThat(wire.getField(13).getVarintList()).containsExactly(13L);
  }

  @Test
  void putResponseEncodesToTheBytesEtcdSends() {
    PutResponse response = PutResponse.newBuilder()
        .setHeader(ResponseHeader.newBuilder().setRevision(5))
        .setPrevKv(KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("a")))
        .build();

    // header (1, length 2) { revision (3) = 5 }, prev_kv (2, length 3) { key (1) = "a" }
    assertThat(HexFormat.of().formatHex(response.toByteArray()))
        .isEqualTo("0a021805" + "12030a0161");
  }

  @Test
  void compareRangeEndIsFieldSixtyFour() {
    Compare compare = Compare.newBuilder()
        .setRangeEnd(ByteString.copyFromUtf8("z"))
        .build();

    // Tag (64 << 3) | 2 = 514 is the varint 0x82 0x04.
    assertThat(HexFormat.of().formatHex(compare.toByteArray())).isEqualTo("8204017a");
  }

  @Test
  void nestedTxnTravelsInRequestOpFieldFour() throws Exception {
    TxnRequest inner = TxnRequest.newBuilder()
        .addSuccess(RequestOp.newBuilder().setRequestPut(
            PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k"))))
        .build();
    TxnRequest outer = TxnRequest.newBuilder()
        .addCompare(Compare.newBuilder()
            .setTarget(Compare.CompareTarget.MOD)
            .setKey(ByteString.copyFromUtf8("k"))
            .setModRevision(7))
        .addFailure(RequestOp.newBuilder().setRequestTxn(inner))
        .build();

    UnknownFieldSet wire = UnknownFieldSet.parseFrom(outer.toByteArray());
    assertThat(wire.asMap().keySet()).containsExactly(1, 3);

    UnknownFieldSet compare =
        UnknownFieldSet.parseFrom(wire.getField(1).getLengthDelimitedList().get(0));
    assertThat(compare.asMap().keySet()).containsExactly(2, 3, 6);
    assertThat(compare.getField(6).getVarintList()).containsExactly(7L);

    UnknownFieldSet failureOp =
        UnknownFieldSet.parseFrom(wire.getField(3).getLengthDelimitedList().get(0));
    assertThat(failureOp.asMap().keySet()).containsExactly(4);

    UnknownFieldSet nestedTxn =
        UnknownFieldSet.parseFrom(failureOp.getField(4).getLengthDelimitedList().get(0));
    UnknownFieldSet successOp =
        UnknownFieldSet.parseFrom(nestedTxn.getField(2).getLengthDelimitedList().get(0));
    assertThat(successOp.asMap().keySet()).containsExactly(2);
  }

  @Test
  void watchRequestVariantsUseEtcdsOneofNumbers() throws Exception {
    WatchRequest create = WatchRequest.newBuilder()
        .setCreateRequest(WatchCreateRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8("w"))
            .addFilters(WatchCreateRequest.FilterType.NODELETE)
            .setWatchId(9))
        .build();
    WatchRequest cancel = WatchRequest.newBuilder()
        .setCancelRequest(WatchCancelRequest.newBuilder().setWatchId(9))
        .build();
    WatchRequest progress = WatchRequest.newBuilder()
        .setProgressRequest(WatchProgressRequest.getDefaultInstance())
        .build();

    assertThat(UnknownFieldSet.parseFrom(create.toByteArray()).asMap().keySet())
        .containsExactly(1);
    assertThat(UnknownFieldSet.parseFrom(cancel.toByteArray()).asMap().keySet())
        .containsExactly(2);
    // An empty message in a oneof is still sent, as field 3 with length zero.
    assertThat(HexFormat.of().formatHex(progress.toByteArray())).isEqualTo("1a00");

    UnknownFieldSet createBody = UnknownFieldSet.parseFrom(
        UnknownFieldSet.parseFrom(create.toByteArray()).getField(1)
            .getLengthDelimitedList().get(0));
    assertThat(createBody.asMap().keySet()).containsExactly(1, 5, 7);
    // proto3 packs repeated enums; etcd's Go decoder accepts both packed and unpacked.
    assertThat(createBody.getField(5).getLengthDelimitedList())
        .containsExactly(ByteString.copyFrom(new byte[] {1}));
  }
}
