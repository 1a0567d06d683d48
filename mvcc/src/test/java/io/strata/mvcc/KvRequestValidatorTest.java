package io.strata.mvcc;

import static io.strata.mvcc.Kv.bs;
import static io.strata.mvcc.Kv.delete;
import static io.strata.mvcc.Kv.get;
import static io.strata.mvcc.Kv.op;
import static io.strata.mvcc.Kv.put;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.DeleteRangeRequest;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RequestOp;
import io.strata.api.etcdserverpb.TxnRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class KvRequestValidatorTest {

  private static void refused(Runnable check, KvError error) {
    assertThatThrownBy(check::run).isInstanceOf(KvException.class)
        .hasMessage(error.message());
  }

  private static RequestOp nested(TxnRequest t) {
    return RequestOp.newBuilder().setRequestTxn(t).build();
  }

  @Test
  void emptyKeysAreRefused() {
    refused(() -> KvRequestValidator.checkRange(RangeRequest.getDefaultInstance()),
        KvError.KEY_NOT_PROVIDED);
    refused(() -> KvRequestValidator.checkPut(PutRequest.getDefaultInstance()),
        KvError.KEY_NOT_PROVIDED);
    refused(() -> KvRequestValidator.checkDeleteRange(DeleteRangeRequest.getDefaultInstance()),
        KvError.KEY_NOT_PROVIDED);
  }

  @Test
  void unknownSortOrderIsAcceptedWhateverTheTarget() {
    RangeRequest seenInEtcd = RangeRequest.newBuilder().setKey(bs("a/b/1")).setSortOrderValue(4)
        .setSortTarget(RangeRequest.SortTarget.MOD).setKeysOnly(true).setCountOnly(true)
        .setMaxModRevision(7).build();
    assertThatCode(() -> KvRequestValidator.checkRange(seenInEtcd)).doesNotThrowAnyException();
    assertThatCode(() -> KvRequestValidator.checkRange(get("a").toBuilder().setSortOrderValue(-1)
        .build())).doesNotThrowAnyException();
    assertThatCode(() -> KvRequestValidator.checkRange(get("a").toBuilder().setSortOrderValue(9)
        .setSortTargetValue(9).build())).doesNotThrowAnyException();
    TxnRequest txn = TxnRequest.newBuilder().addSuccess(op(seenInEtcd))
        .addFailure(op(seenInEtcd)).build();
    assertThatCode(() -> KvRequestValidator.checkTxn(txn, 128)).doesNotThrowAnyException();
  }

  @Test
  void unknownSortTargetWithAKnownOrderIsRefused() {
    for (RangeRequest.SortOrder order : List.of(RangeRequest.SortOrder.NONE,
        RangeRequest.SortOrder.ASCEND, RangeRequest.SortOrder.DESCEND)) {
      RangeRequest r = get("a").toBuilder().setSortOrder(order).setSortTargetValue(9).build();
      refused(() -> KvRequestValidator.checkRange(r), KvError.INVALID_SORT_OPTION);
      refused(() -> KvRequestValidator.checkTxn(TxnRequest.newBuilder().addSuccess(op(r)).build(),
          128), KvError.INVALID_SORT_OPTION);
    }
  }

  @Test
  void ignoreFlagsRefuseWhatTheyIgnore() {
    refused(() -> KvRequestValidator.checkPut(put("a", "v").toBuilder().setIgnoreValue(true)
        .build()), KvError.VALUE_PROVIDED);
    refused(() -> KvRequestValidator.checkPut(PutRequest.newBuilder().setKey(bs("a"))
        .setIgnoreLease(true).setLease(5).build()), KvError.LEASE_PROVIDED);
  }

  @Test
  void txnOpCountIsLimitedAndNestedTxnsShareTheBudget() {
    TxnRequest.Builder three = TxnRequest.newBuilder();
    for (int i = 0; i < 3; i++) {
      three.addSuccess(op(get("k" + i)));
    }
    assertThatCode(() -> KvRequestValidator.checkTxn(three.build(), 3)).doesNotThrowAnyException();
    refused(() -> KvRequestValidator.checkTxn(three.build(), 2), KvError.TOO_MANY_TXN_OPS);
    TxnRequest outer = TxnRequest.newBuilder().addSuccess(op(get("a")))
        .addSuccess(nested(three.build())).build();
    refused(() -> KvRequestValidator.checkTxn(outer, 4), KvError.TOO_MANY_TXN_OPS);
    assertThatCode(() -> KvRequestValidator.checkTxn(outer, 5)).doesNotThrowAnyException();
  }

  @Test
  void emptyOpInTxnIsKeyNotFound() {
    refused(() -> KvRequestValidator.checkTxn(TxnRequest.newBuilder()
        .addSuccess(RequestOp.getDefaultInstance()).build(), 128), KvError.KEY_NOT_FOUND);
  }

  @Test
  void keyWrittenTwiceIsDuplicate() {
    refused(() -> KvRequestValidator.checkTxn(TxnRequest.newBuilder()
        .addSuccess(op(put("a", "1"))).addSuccess(op(put("a", "2"))).build(), 128),
        KvError.DUPLICATE_KEY);
    refused(() -> KvRequestValidator.checkTxn(TxnRequest.newBuilder()
        .addSuccess(op(put("a/1", "1")))
        .addSuccess(op(DeleteRangeRequest.newBuilder().setKey(bs("a/")).setRangeEnd(bs("a0"))
            .build())).build(), 128), KvError.DUPLICATE_KEY);
    refused(() -> KvRequestValidator.checkTxn(TxnRequest.newBuilder()
        .addSuccess(op(delete("a")))
        .addSuccess(nested(TxnRequest.newBuilder().addSuccess(op(put("a", "1"))).build()))
        .build(), 128), KvError.DUPLICATE_KEY);
  }

  @Test
  void samePutInBothBranchesOfNestedTxnIsAllowed() {
    TxnRequest inner = TxnRequest.newBuilder().addSuccess(op(put("a", "1")))
        .addFailure(op(put("a", "2"))).build();
    assertThatCode(() -> KvRequestValidator.checkTxn(TxnRequest.newBuilder()
        .addSuccess(nested(inner)).build(), 128)).doesNotThrowAnyException();
    refused(() -> KvRequestValidator.checkTxn(TxnRequest.newBuilder()
        .addSuccess(nested(inner)).addSuccess(nested(inner)).build(), 128),
        KvError.DUPLICATE_KEY);
  }

  @Test
  void deleteToNulEndDoesNotConflictWithPuts() {
    // etcd's interval check treats "\0" literally, as an end below every key.
    assertThatCode(() -> KvRequestValidator.checkTxn(TxnRequest.newBuilder()
        .addSuccess(op(put("b", "1")))
        .addSuccess(op(DeleteRangeRequest.newBuilder().setKey(bs("a"))
            .setRangeEnd(ByteString.copyFrom(new byte[] {0})).build())).build(), 128))
        .doesNotThrowAnyException();
  }
}
