package io.strata.conformance;

import static io.strata.conformance.Jetcd.assertGrpcFails;
import static io.strata.conformance.Jetcd.assertJetcdFails;
import static io.strata.conformance.Jetcd.await;
import static io.strata.conformance.Jetcd.bytes;
import static io.strata.conformance.Jetcd.keys;
import static io.strata.conformance.Jetcd.text;
import static io.strata.conformance.Jetcd.values;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.PutResponse;
import io.etcd.jetcd.kv.DeleteResponse;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.GetOption.SortOrder;
import io.etcd.jetcd.options.GetOption.SortTarget;
import io.etcd.jetcd.options.PutOption;
import io.grpc.Status;
import io.strata.conformance.harness.ClusterExtension;
import io.strata.conformance.harness.EtcdGrpc;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Put, Range and DeleteRange with every option, through jetcd (and raw gRPC for the request
 * fields jetcd never sets). Each test writes under its own key prefix and asserts revisions
 * relative to the store's revision when it started, so tests share one server.
 */
class KvJetcdTest {
    @RegisterExtension
    static final ClusterExtension SERVER = ClusterExtension.single();

    static final String LEASE_NOT_FOUND = "etcdserver: requested lease not found";
    static final long MISSING_LEASE_ID = 0x7e57_1ea5e_00L;

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
        prefix = "/kv/" + info.getTestMethod().orElseThrow().getName() + "/";
        base = currentRevision();
    }

    @Test
    void putAdvancesRevisionByOneAndHeaderNamesClusterAndMember() {
        io.etcd.jetcd.kv.PutResponse first = await(kv.put(key("a"), bytes("1")));
        io.etcd.jetcd.kv.PutResponse second = await(kv.put(key("a"), bytes("2")));

        assertThat(first.getHeader().getRevision()).isEqualTo(base + 1);
        assertThat(first.getHeader().getClusterId()).isNotZero();
        assertThat(first.getHeader().getMemberId()).isNotZero();
        assertThat(first.getHeader().getRaftTerm()).isPositive();
        assertThat(first.hasPrevKv()).isFalse();
        assertThat(second.getHeader().getRevision()).isEqualTo(base + 2);
        KeyValue stored = single(await(kv.get(key("a"))));
        assertThat(text(stored.getValue())).isEqualTo("2");
        assertThat(stored.getCreateRevision()).isEqualTo(base + 1);
        assertThat(stored.getModRevision()).isEqualTo(base + 2);
        assertThat(stored.getVersion()).isEqualTo(2);
        assertThat(stored.getLease()).isZero();
    }

    @Test
    void putWithPrevKvReturnsThePairItReplaced() {
        io.etcd.jetcd.kv.PutResponse created = await(kv.put(key("a"), bytes("old"), withPrevKv()));
        io.etcd.jetcd.kv.PutResponse replaced = await(kv.put(key("a"), bytes("new"), withPrevKv()));

        assertThat(created.hasPrevKv()).isFalse();
        assertThat(replaced.hasPrevKv()).isTrue();
        assertThat(text(replaced.getPrevKv().getKey())).isEqualTo(prefix + "a");
        assertThat(text(replaced.getPrevKv().getValue())).isEqualTo("old");
        assertThat(replaced.getPrevKv().getModRevision()).isEqualTo(base + 1);
        assertThat(replaced.getPrevKv().getVersion()).isEqualTo(1);
    }

    @Test
    void putWithUnknownLeaseFailsWithLeaseNotFoundAndWritesNothing() {
        assertJetcdFails(() -> kv.put(key("a"), bytes("v"), PutOption.builder().withLeaseId(MISSING_LEASE_ID).build()),
                Status.Code.NOT_FOUND, LEASE_NOT_FOUND);
        assertGrpcFails(() -> grpc.kv().put(PutRequest.newBuilder().setKey(raw("a")).setValue(rawValue("v"))
                .setLease(MISSING_LEASE_ID).build()), Status.Code.NOT_FOUND, LEASE_NOT_FOUND);

        assertThat(await(kv.get(key("a"))).getKvs()).isEmpty();
        assertThat(currentRevision()).isEqualTo(base);
    }

    @Test
    void putWithGrantedLeaseAttachesIt() {
        long leaseId = await(SERVER.client().getLeaseClient().grant(60)).getID();
        try {
            await(kv.put(key("a"), bytes("v"), PutOption.builder().withLeaseId(leaseId).build()));

            assertThat(single(await(kv.get(key("a")))).getLease()).isEqualTo(leaseId);
        } finally {
            await(SERVER.client().getLeaseClient().revoke(leaseId));
        }
        assertThat(await(kv.get(key("a"))).getKvs()).isEmpty();
    }

    @Test
    void ignoreValueKeepsTheValueAndIgnoreLeaseKeepsTheLease() {
        long leaseId = await(SERVER.client().getLeaseClient().grant(60)).getID();
        try {
            grpc.kv().put(PutRequest.newBuilder().setKey(raw("a")).setValue(rawValue("first")).setLease(leaseId).build());

            PutResponse keptValue = grpc.kv().put(PutRequest.newBuilder().setKey(raw("a")).setIgnoreValue(true)
                    .setLease(leaseId).setPrevKv(true).build());
            KeyValue afterIgnoreValue = single(await(kv.get(key("a"))));
            assertThat(keptValue.getHeader().getRevision()).isEqualTo(base + 2);
            assertThat(keptValue.getPrevKv().getValue().toStringUtf8()).isEqualTo("first");
            assertThat(text(afterIgnoreValue.getValue())).isEqualTo("first");
            assertThat(afterIgnoreValue.getVersion()).isEqualTo(2);
            assertThat(afterIgnoreValue.getModRevision()).isEqualTo(base + 2);
            assertThat(afterIgnoreValue.getLease()).isEqualTo(leaseId);

            grpc.kv().put(PutRequest.newBuilder().setKey(raw("a")).setValue(rawValue("second")).setIgnoreLease(true).build());
            KeyValue afterIgnoreLease = single(await(kv.get(key("a"))));
            assertThat(text(afterIgnoreLease.getValue())).isEqualTo("second");
            assertThat(afterIgnoreLease.getLease()).isEqualTo(leaseId);

            // Without ignore_lease, a put that names no lease detaches the key from its lease.
            grpc.kv().put(PutRequest.newBuilder().setKey(raw("a")).setIgnoreValue(true).build());
            KeyValue detached = single(await(kv.get(key("a"))));
            assertThat(text(detached.getValue())).isEqualTo("second");
            assertThat(detached.getLease()).isZero();
        } finally {
            await(SERVER.client().getLeaseClient().revoke(leaseId));
        }
    }

    @Test
    void ignoreFlagsRejectRequestsThatAlsoSetTheFieldOrNameAMissingKey() {
        await(kv.put(key("a"), bytes("v")));

        assertGrpcFails(() -> grpc.kv().put(PutRequest.newBuilder().setKey(raw("a")).setValue(rawValue("x"))
                .setIgnoreValue(true).build()), Status.Code.INVALID_ARGUMENT, "etcdserver: value is provided");
        assertGrpcFails(() -> grpc.kv().put(PutRequest.newBuilder().setKey(raw("a")).setLease(MISSING_LEASE_ID)
                .setIgnoreLease(true).build()), Status.Code.INVALID_ARGUMENT, "etcdserver: lease is provided");
        assertGrpcFails(() -> grpc.kv().put(PutRequest.newBuilder().setKey(raw("missing")).setIgnoreValue(true).build()),
                Status.Code.INVALID_ARGUMENT, "etcdserver: key not found");
        assertGrpcFails(() -> grpc.kv().put(PutRequest.newBuilder().setKey(raw("missing")).setValue(rawValue("v"))
                .setIgnoreLease(true).build()), Status.Code.INVALID_ARGUMENT, "etcdserver: key not found");
        assertGrpcFails(() -> grpc.kv().put(PutRequest.newBuilder().setValue(rawValue("v")).build()),
                Status.Code.INVALID_ARGUMENT, "etcdserver: key is not provided");

        assertThat(currentRevision()).isEqualTo(base + 1);
    }

    @Test
    void getSelectsOneKeyAPrefixAnExplicitRangeOrEverythingFromAKey() {
        for (String name : List.of("a", "b", "c", "d")) {
            await(kv.put(key(name), bytes("v-" + name)));
        }
        await(kv.put(bytes(prefix.substring(0, prefix.length() - 1) + "0"), bytes("outside the prefix")));

        assertThat(keys(await(kv.get(key("b"))))).containsExactly(prefix + "b");
        assertThat(await(kv.get(key("zz"))).getKvs()).isEmpty();
        assertThat(await(kv.get(key("zz"))).getCount()).isZero();
        assertThat(keys(await(kv.get(key(""), GetOption.builder().isPrefix(true).build()))))
                .containsExactly(prefix + "a", prefix + "b", prefix + "c", prefix + "d");
        assertThat(keys(await(kv.get(key("b"), GetOption.builder().withRange(key("d")).build()))))
                .containsExactly(prefix + "b", prefix + "c");

        GetResponse fromKey = await(kv.get(key("c"),
                GetOption.builder().withRange(ByteSequence.from(new byte[] {0})).build()));
        assertThat(keys(fromKey)).startsWith(prefix + "c", prefix + "d")
                .allSatisfy(found -> assertThat(found).isGreaterThanOrEqualTo(prefix + "c"));
        assertThat(fromKey.getCount()).isEqualTo(fromKey.getKvs().size());
    }

    @Test
    void limitReturnsTheFirstKeysAndReportsMoreAndTheFullCount() {
        for (String name : List.of("a", "b", "c", "d", "e")) {
            await(kv.put(key(name), bytes(name)));
        }

        GetResponse limited = await(kv.get(key(""), GetOption.builder().isPrefix(true).withLimit(2).build()));
        GetResponse exact = await(kv.get(key(""), GetOption.builder().isPrefix(true).withLimit(5).build()));
        GetResponse unlimited = await(kv.get(key(""), GetOption.builder().isPrefix(true).withLimit(0).build()));

        assertThat(keys(limited)).containsExactly(prefix + "a", prefix + "b");
        assertThat(limited.isMore()).isTrue();
        assertThat(limited.getCount()).isEqualTo(5);
        assertThat(exact.getKvs()).hasSize(5);
        assertThat(exact.isMore()).isFalse();
        assertThat(unlimited.getKvs()).hasSize(5);
        assertThat(unlimited.isMore()).isFalse();
    }

    @Test
    void getAtAnEarlierRevisionSeesTheValueOfThatTime() {
        await(kv.put(key("a"), bytes("1")));
        await(kv.put(key("a"), bytes("2")));
        await(kv.delete(key("a")));

        GetResponse atFirst = await(kv.get(key("a"), GetOption.builder().withRevision(base + 1).build()));
        GetResponse atSecond = await(kv.get(key("a"), GetOption.builder().withRevision(base + 2).build()));
        GetResponse atDelete = await(kv.get(key("a"), GetOption.builder().withRevision(base + 3).build()));
        GetResponse beforeAny = await(kv.get(key("a"), GetOption.builder().withRevision(base).build()));

        assertThat(values(atFirst)).containsExactly("1");
        assertThat(single(atFirst).getModRevision()).isEqualTo(base + 1);
        assertThat(values(atSecond)).containsExactly("2");
        assertThat(single(atSecond).getVersion()).isEqualTo(2);
        assertThat(atDelete.getKvs()).isEmpty();
        assertThat(beforeAny.getKvs()).isEmpty();
        // The header always carries the store's current revision, not the one read.
        assertThat(atFirst.getHeader().getRevision()).isEqualTo(base + 3);
    }

    @Test
    void sortOrdersByEveryTargetInBothDirections() {
        // Revisions: c created at +1, a at +2, b at +3; a rewritten at +4 and +5; c at +6.
        await(kv.put(key("c"), bytes("2")));
        await(kv.put(key("a"), bytes("1")));
        await(kv.put(key("b"), bytes("3")));
        await(kv.put(key("a"), bytes("1")));
        await(kv.put(key("a"), bytes("1")));
        await(kv.put(key("c"), bytes("2")));

        assertThat(sorted(SortTarget.KEY, SortOrder.ASCEND)).containsExactly("a", "b", "c");
        assertThat(sorted(SortTarget.KEY, SortOrder.DESCEND)).containsExactly("c", "b", "a");
        assertThat(sorted(SortTarget.KEY, SortOrder.NONE)).containsExactly("a", "b", "c");
        assertThat(sorted(SortTarget.VERSION, SortOrder.ASCEND)).containsExactly("b", "c", "a");
        assertThat(sorted(SortTarget.VERSION, SortOrder.DESCEND)).containsExactly("a", "c", "b");
        assertThat(sorted(SortTarget.CREATE, SortOrder.ASCEND)).containsExactly("c", "a", "b");
        assertThat(sorted(SortTarget.CREATE, SortOrder.DESCEND)).containsExactly("b", "a", "c");
        assertThat(sorted(SortTarget.MOD, SortOrder.ASCEND)).containsExactly("b", "a", "c");
        assertThat(sorted(SortTarget.MOD, SortOrder.DESCEND)).containsExactly("c", "a", "b");
        assertThat(sorted(SortTarget.VALUE, SortOrder.ASCEND)).containsExactly("a", "c", "b");
        assertThat(sorted(SortTarget.VALUE, SortOrder.DESCEND)).containsExactly("b", "c", "a");
        // A target other than the key with no order given sorts ascending.
        assertThat(sorted(SortTarget.CREATE, SortOrder.NONE)).containsExactly("c", "a", "b");
    }

    @Test
    void sortedGetWithLimitSortsBeforeLimiting() {
        await(kv.put(key("a"), bytes("1")));
        await(kv.put(key("b"), bytes("2")));
        await(kv.put(key("c"), bytes("3")));

        GetResponse lastTwo = await(kv.get(key(""), GetOption.builder().isPrefix(true)
                .withSortField(SortTarget.KEY).withSortOrder(SortOrder.DESCEND).withLimit(2).build()));

        assertThat(keys(lastTwo)).containsExactly(prefix + "c", prefix + "b");
        assertThat(lastTwo.isMore()).isTrue();
        assertThat(lastTwo.getCount()).isEqualTo(3);
    }

    @Test
    void serializableGetSeesAcknowledgedWritesOnASingleMember() {
        await(kv.put(key("a"), bytes("v")));

        GetResponse serializable = await(kv.get(key("a"), GetOption.builder().withSerializable(true).build()));

        assertThat(values(serializable)).containsExactly("v");
        assertThat(serializable.getHeader().getRevision()).isEqualTo(base + 1);
    }

    @Test
    void keysOnlyDropsValuesAndCountOnlyDropsPairs() {
        await(kv.put(key("a"), bytes("value-a")));
        await(kv.put(key("b"), bytes("value-b")));

        GetResponse keysOnly = await(kv.get(key(""), GetOption.builder().isPrefix(true).withKeysOnly(true).build()));
        GetResponse countOnly = await(kv.get(key(""), GetOption.builder().isPrefix(true).withCountOnly(true).build()));

        assertThat(keys(keysOnly)).containsExactly(prefix + "a", prefix + "b");
        assertThat(values(keysOnly)).containsExactly("", "");
        assertThat(keysOnly.getKvs().get(1).getModRevision()).isEqualTo(base + 2);
        assertThat(keysOnly.getKvs().get(1).getVersion()).isEqualTo(1);
        assertThat(countOnly.getKvs()).isEmpty();
        assertThat(countOnly.getCount()).isEqualTo(2);
        assertThat(countOnly.isMore()).isFalse();
    }

    @Test
    void modAndCreateRevisionBoundsFilterTheRange() {
        // Revisions: c created at +1, a at +2, b at +3; a rewritten at +4 and +5; c at +6.
        await(kv.put(key("c"), bytes("2")));
        await(kv.put(key("a"), bytes("1")));
        await(kv.put(key("b"), bytes("3")));
        await(kv.put(key("a"), bytes("1")));
        await(kv.put(key("a"), bytes("1")));
        await(kv.put(key("c"), bytes("2")));

        assertThat(filtered(GetOption.builder().withMinModRevision(base + 5))).containsExactly("a", "c");
        assertThat(filtered(GetOption.builder().withMaxModRevision(base + 4))).containsExactly("b");
        assertThat(filtered(GetOption.builder().withMinCreateRevision(base + 2))).containsExactly("a", "b");
        assertThat(filtered(GetOption.builder().withMaxCreateRevision(base + 2))).containsExactly("a", "c");
        assertThat(filtered(GetOption.builder().withMinModRevision(base + 3).withMaxModRevision(base + 5)))
                .containsExactly("a", "b");
        assertThat(filtered(GetOption.builder().withMinCreateRevision(base + 2).withMaxModRevision(base + 3)))
                .containsExactly("b");
    }

    @Test
    void deleteOfOneKeyBumpsRevisionAndDeleteOfMissingKeyDoesNot() {
        await(kv.put(key("a"), bytes("v")));

        DeleteResponse deleted = await(kv.delete(key("a")));
        DeleteResponse missing = await(kv.delete(key("a")));

        assertThat(deleted.getDeleted()).isEqualTo(1);
        assertThat(deleted.getPrevKvs()).isEmpty();
        assertThat(deleted.getHeader().getRevision()).isEqualTo(base + 2);
        assertThat(missing.getDeleted()).isZero();
        assertThat(missing.getHeader().getRevision()).isEqualTo(base + 2);
        assertThat(await(kv.get(key("a"))).getKvs()).isEmpty();
    }

    @Test
    void deleteWithPrevKvReturnsTheDeletedPairs() {
        await(kv.put(key("a"), bytes("1")));
        await(kv.put(key("b"), bytes("2")));

        DeleteResponse deleted = await(kv.delete(key(""), DeleteOption.builder().isPrefix(true).withPrevKV(true).build()));

        assertThat(deleted.getDeleted()).isEqualTo(2);
        assertThat(deleted.getPrevKvs()).extracting(pair -> text(pair.getKey()))
                .containsExactly(prefix + "a", prefix + "b");
        assertThat(deleted.getPrevKvs()).extracting(pair -> text(pair.getValue())).containsExactly("1", "2");
        assertThat(deleted.getPrevKvs().get(1).getCreateRevision()).isEqualTo(base + 2);
    }

    @Test
    void rangeAndPrefixDeletesRemoveManyKeysInOneRevision() {
        for (String name : List.of("a", "b", "c", "d")) {
            await(kv.put(key(name), bytes(name)));
        }

        DeleteResponse range = await(kv.delete(key("b"), DeleteOption.builder().withRange(key("d")).build()));
        assertThat(range.getDeleted()).isEqualTo(2);
        assertThat(range.getHeader().getRevision()).isEqualTo(base + 5);
        assertThat(keys(await(kv.get(key(""), GetOption.builder().isPrefix(true).build()))))
                .containsExactly(prefix + "a", prefix + "d");

        DeleteResponse rest = await(kv.delete(key(""), DeleteOption.builder().isPrefix(true).build()));
        assertThat(rest.getDeleted()).isEqualTo(2);
        assertThat(rest.getHeader().getRevision()).isEqualTo(base + 6);
        assertThat(await(kv.get(key(""), GetOption.builder().isPrefix(true).build())).getCount()).isZero();
    }

    @Test
    void keyPutAgainAfterDeleteStartsANewGeneration() {
        await(kv.put(key("a"), bytes("1")));
        await(kv.put(key("a"), bytes("2")));
        await(kv.delete(key("a")));
        await(kv.put(key("a"), bytes("3")));

        KeyValue reborn = single(await(kv.get(key("a"))));
        assertThat(reborn.getCreateRevision()).isEqualTo(base + 4);
        assertThat(reborn.getModRevision()).isEqualTo(base + 4);
        assertThat(reborn.getVersion()).isEqualTo(1);
    }

    private List<String> sorted(SortTarget target, SortOrder order) {
        GetResponse response = await(kv.get(key(""),
                GetOption.builder().isPrefix(true).withSortField(target).withSortOrder(order).build()));
        return keys(response).stream().map(found -> found.substring(prefix.length())).toList();
    }

    private List<String> filtered(GetOption.Builder options) {
        GetResponse response = await(kv.get(key(""), options.isPrefix(true).build()));
        return keys(response).stream().map(found -> found.substring(prefix.length())).toList();
    }

    private long currentRevision() {
        return await(kv.get(bytes("/kv-revision-probe"))).getHeader().getRevision();
    }

    private ByteSequence key(String name) {
        return bytes(prefix + name);
    }

    private ByteString raw(String name) {
        return ByteString.copyFromUtf8(prefix + name);
    }

    private static ByteString rawValue(String value) {
        return ByteString.copyFromUtf8(value);
    }

    private static PutOption withPrevKv() {
        return PutOption.builder().withPrevKV().build();
    }

    private static KeyValue single(GetResponse response) {
        assertThat(response.getKvs()).hasSize(1);
        return response.getKvs().get(0);
    }
}
