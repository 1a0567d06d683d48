package io.strata.conformance;

import static io.strata.conformance.Jetcd.assertGrpcFails;
import static io.strata.conformance.Jetcd.await;
import static io.strata.conformance.Jetcd.bytes;
import static io.strata.conformance.Jetcd.keys;
import static io.strata.conformance.Jetcd.text;
import static io.strata.conformance.Jetcd.values;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.grpc.Status;
import io.strata.conformance.harness.ClusterExtension;
import io.strata.conformance.harness.EtcdGrpc;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Txn through jetcd: every compare target and result, both branches, nesting and limits. */
class KvTxnJetcdTest {
    @RegisterExtension
    static final ClusterExtension SERVER = ClusterExtension.single();

    private static EtcdGrpc grpc;
    private KV kv;
    private String prefix;
    private long base;

    @BeforeAll
    static void connectGrpc() {
        grpc = SERVER.cluster().newGrpc();
    }

    @AfterAll
    static void closeGrpc() {
        if (grpc != null) {
            grpc.close();
        }
    }

    @BeforeEach
    void startOnOwnPrefix(TestInfo info) {
        kv = SERVER.client().getKVClient();
        prefix = "/txn/" + info.getTestMethod().orElseThrow().getName() + "/";
        base = await(kv.get(bytes("/txn-revision-probe"))).getHeader().getRevision();
    }

    @Test
    void valueComparesByteWiseWithEveryResult() {
        await(kv.put(key("k"), bytes("m")));

        assertThat(holds(Cmp.Op.EQUAL, CmpTarget.value(bytes("m")))).isTrue();
        assertThat(holds(Cmp.Op.EQUAL, CmpTarget.value(bytes("n")))).isFalse();
        assertThat(holds(Cmp.Op.NOT_EQUAL, CmpTarget.value(bytes("n")))).isTrue();
        assertThat(holds(Cmp.Op.NOT_EQUAL, CmpTarget.value(bytes("m")))).isFalse();
        assertThat(holds(Cmp.Op.GREATER, CmpTarget.value(bytes("l")))).isTrue();
        assertThat(holds(Cmp.Op.GREATER, CmpTarget.value(bytes("mm")))).isFalse();
        assertThat(holds(Cmp.Op.LESS, CmpTarget.value(bytes("ma")))).isTrue();
        assertThat(holds(Cmp.Op.LESS, CmpTarget.value(bytes("m")))).isFalse();
    }

    @Test
    void versionCreateAndModRevisionCompareAsNumbers() {
        await(kv.put(key("k"), bytes("1")));
        await(kv.put(key("k"), bytes("2")));
        long created = base + 1;
        long modified = base + 2;

        assertThat(holds(Cmp.Op.EQUAL, CmpTarget.version(2))).isTrue();
        assertThat(holds(Cmp.Op.NOT_EQUAL, CmpTarget.version(2))).isFalse();
        assertThat(holds(Cmp.Op.GREATER, CmpTarget.version(1))).isTrue();
        assertThat(holds(Cmp.Op.LESS, CmpTarget.version(2))).isFalse();
        assertThat(holds(Cmp.Op.EQUAL, CmpTarget.createRevision(created))).isTrue();
        assertThat(holds(Cmp.Op.LESS, CmpTarget.createRevision(modified))).isTrue();
        assertThat(holds(Cmp.Op.GREATER, CmpTarget.createRevision(created))).isFalse();
        assertThat(holds(Cmp.Op.NOT_EQUAL, CmpTarget.createRevision(modified))).isTrue();
        assertThat(holds(Cmp.Op.EQUAL, CmpTarget.modRevision(modified))).isTrue();
        assertThat(holds(Cmp.Op.GREATER, CmpTarget.modRevision(created))).isTrue();
        assertThat(holds(Cmp.Op.LESS, CmpTarget.modRevision(modified))).isFalse();
        assertThat(holds(Cmp.Op.NOT_EQUAL, CmpTarget.modRevision(created))).isTrue();
    }

    @Test
    void aMissingKeyHasVersionAndRevisionsZeroButNoValue() {
        ByteSequence missing = key("missing");

        assertThat(holds(missing, Cmp.Op.EQUAL, CmpTarget.version(0))).isTrue();
        assertThat(holds(missing, Cmp.Op.EQUAL, CmpTarget.createRevision(0))).isTrue();
        assertThat(holds(missing, Cmp.Op.EQUAL, CmpTarget.modRevision(0))).isTrue();
        assertThat(holds(missing, Cmp.Op.EQUAL, CmpTarget.value(bytes("")))).isFalse();
        assertThat(holds(missing, Cmp.Op.NOT_EQUAL, CmpTarget.value(bytes("x")))).isFalse();
    }

    @Test
    void successRunsThenAndFailureRunsElseWithOneRevisionForAllWrites() {
        await(kv.put(key("flag"), bytes("on")));

        TxnResponse taken = await(kv.txn()
                .If(new Cmp(key("flag"), Cmp.Op.EQUAL, CmpTarget.value(bytes("on"))))
                .Then(Op.put(key("a"), bytes("1"), PutOption.DEFAULT),
                        Op.put(key("b"), bytes("2"), PutOption.builder().withPrevKV().build()),
                        Op.get(key(""), GetOption.builder().isPrefix(true).build()))
                .Else(Op.put(key("else"), bytes("x"), PutOption.DEFAULT))
                .commit());

        assertThat(taken.isSucceeded()).isTrue();
        assertThat(taken.getHeader().getRevision()).isEqualTo(base + 2);
        assertThat(taken.getPutResponses()).hasSize(2);
        assertThat(taken.getGetResponses()).hasSize(1);
        // A read inside the transaction sees the transaction's own earlier writes.
        assertThat(keys(taken.getGetResponses().get(0)))
                .containsExactly(prefix + "a", prefix + "b", prefix + "flag");
        assertThat(taken.getGetResponses().get(0).getKvs().get(0).getModRevision()).isEqualTo(base + 2);
        assertThat(taken.getGetResponses().get(0).getKvs().get(1).getModRevision()).isEqualTo(base + 2);
        assertThat(await(kv.get(key("else"))).getKvs()).isEmpty();

        TxnResponse other = await(kv.txn()
                .If(new Cmp(key("flag"), Cmp.Op.EQUAL, CmpTarget.value(bytes("off"))))
                .Then(Op.put(key("then"), bytes("x"), PutOption.DEFAULT))
                .Else(Op.delete(key("a"), DeleteOption.builder().withPrevKV(true).build()),
                        Op.get(key("a"), GetOption.DEFAULT))
                .commit());

        assertThat(other.isSucceeded()).isFalse();
        assertThat(other.getHeader().getRevision()).isEqualTo(base + 3);
        assertThat(other.getDeleteResponses()).hasSize(1);
        assertThat(other.getDeleteResponses().get(0).getDeleted()).isEqualTo(1);
        assertThat(other.getGetResponses().get(0).getKvs()).isEmpty();
        assertThat(text(other.getDeleteResponses().get(0).getPrevKvs().get(0).getValue())).isEqualTo("1");
        assertThat(await(kv.get(key("then"))).getKvs()).isEmpty();
    }

    @Test
    void allComparesMustHoldForThen() {
        await(kv.put(key("a"), bytes("1")));
        await(kv.put(key("b"), bytes("2")));

        TxnResponse both = await(kv.txn()
                .If(new Cmp(key("a"), Cmp.Op.EQUAL, CmpTarget.value(bytes("1"))),
                        new Cmp(key("b"), Cmp.Op.EQUAL, CmpTarget.value(bytes("2"))))
                .commit());
        TxnResponse oneFails = await(kv.txn()
                .If(new Cmp(key("a"), Cmp.Op.EQUAL, CmpTarget.value(bytes("1"))),
                        new Cmp(key("b"), Cmp.Op.EQUAL, CmpTarget.value(bytes("3"))))
                .commit());

        assertThat(both.isSucceeded()).isTrue();
        assertThat(oneFails.isSucceeded()).isFalse();
    }

    @Test
    void readOnlyAndEmptyTransactionsDoNotBumpTheRevision() {
        await(kv.put(key("a"), bytes("1")));

        TxnResponse readOnly = await(kv.txn().Then(Op.get(key("a"), GetOption.DEFAULT)).commit());
        TxnResponse empty = await(kv.txn().commit());
        TxnResponse deletesNothing = await(kv.txn().Then(Op.delete(key("missing"), DeleteOption.DEFAULT)).commit());

        assertThat(readOnly.isSucceeded()).isTrue();
        assertThat(values(readOnly.getGetResponses().get(0))).containsExactly("1");
        assertThat(readOnly.getHeader().getRevision()).isEqualTo(base + 1);
        assertThat(empty.isSucceeded()).isTrue();
        assertThat(empty.getHeader().getRevision()).isEqualTo(base + 1);
        assertThat(deletesNothing.getDeleteResponses().get(0).getDeleted()).isZero();
        assertThat(deletesNothing.getHeader().getRevision()).isEqualTo(base + 1);
    }

    @Test
    void nestedTransactionRunsItsOwnBranchInTheSameRevision() {
        await(kv.put(key("outer"), bytes("yes")));

        TxnResponse response = await(kv.txn()
                .If(new Cmp(key("outer"), Cmp.Op.EQUAL, CmpTarget.value(bytes("yes"))))
                .Then(Op.put(key("a"), bytes("1"), PutOption.DEFAULT),
                        Op.txn(new Cmp[] {new Cmp(key("outer"), Cmp.Op.EQUAL, CmpTarget.value(bytes("no")))},
                                new Op[] {Op.put(key("inner-then"), bytes("x"), PutOption.DEFAULT)},
                                new Op[] {Op.put(key("inner-else"), bytes("y"), PutOption.DEFAULT),
                                    Op.get(key("a"), GetOption.DEFAULT)}))
                .commit());

        assertThat(response.isSucceeded()).isTrue();
        assertThat(response.getHeader().getRevision()).isEqualTo(base + 2);
        assertThat(response.getTxnResponses()).hasSize(1);
        TxnResponse nested = response.getTxnResponses().get(0);
        assertThat(nested.isSucceeded()).isFalse();
        assertThat(values(nested.getGetResponses().get(0))).containsExactly("1");
        assertThat(await(kv.get(key("inner-else"))).getKvs().get(0).getModRevision()).isEqualTo(base + 2);
        assertThat(await(kv.get(key("inner-then"))).getKvs()).isEmpty();
    }

    @Test
    void compareOverARangeHoldsOnlyIfItHoldsForEveryKey() {
        await(kv.put(key("r/a"), bytes("1")));
        await(kv.put(key("r/b"), bytes("1")));
        await(kv.put(key("r/c"), bytes("2")));

        assertThat(rangeHolds("r/a", "r/c", Compare.CompareResult.EQUAL, "1")).isTrue();
        assertThat(rangeHolds("r/a", "r/d", Compare.CompareResult.EQUAL, "1")).isFalse();
        assertThat(rangeHolds("r/a", "r/d", Compare.CompareResult.GREATER, "0")).isTrue();
    }

    @Test
    void writingOneKeyTwiceInATransactionIsRejected() {
        RequestOp put = RequestOp.newBuilder().setRequestPut(io.etcd.jetcd.api.PutRequest.newBuilder()
                .setKey(raw("a")).setValue(ByteString.copyFromUtf8("v"))).build();

        assertGrpcFails(() -> grpc.kv().txn(TxnRequest.newBuilder().addSuccess(put).addSuccess(put).build()),
                Status.Code.INVALID_ARGUMENT, "etcdserver: duplicate key given in txn request");
        assertThat(await(kv.get(key("a"))).getKvs()).isEmpty();
    }

    @Test
    void moreThanTheMaximumOperationsInATransactionAreRejected() {
        TxnRequest.Builder request = TxnRequest.newBuilder();
        for (int i = 0; i <= 128; i++) {
            request.addSuccess(RequestOp.newBuilder().setRequestRange(io.etcd.jetcd.api.RangeRequest.newBuilder()
                    .setKey(raw("k" + i))));
        }

        assertGrpcFails(() -> grpc.kv().txn(request.build()), Status.Code.INVALID_ARGUMENT,
                "etcdserver: too many operations in txn request");
    }

    private boolean holds(Cmp.Op op, CmpTarget<?> target) {
        return holds(key("k"), op, target);
    }

    private boolean holds(ByteSequence compared, Cmp.Op op, CmpTarget<?> target) {
        TxnResponse response = await(kv.txn().If(new Cmp(compared, op, target)).commit());
        assertThat(response.getHeader().getRevision()).isGreaterThanOrEqualTo(base);
        return response.isSucceeded();
    }

    private boolean rangeHolds(String from, String to, Compare.CompareResult result, String value) {
        Compare compare = Compare.newBuilder().setKey(raw(from)).setRangeEnd(raw(to))
                .setTarget(Compare.CompareTarget.VALUE).setResult(result)
                .setValue(ByteString.copyFromUtf8(value)).build();
        return grpc.kv().txn(TxnRequest.newBuilder().addCompare(compare).build()).getSucceeded();
    }

    private ByteSequence key(String name) {
        return bytes(prefix + name);
    }

    private ByteString raw(String name) {
        return ByteString.copyFromUtf8(prefix + name);
    }
}
