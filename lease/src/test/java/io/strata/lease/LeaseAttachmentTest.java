package io.strata.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class LeaseAttachmentTest {
    private static final LessorOptions OPTIONS = new LessorOptions(2, 500, 0);

    private static LeaseError errorOf(Runnable call) {
        try {
            call.run();
        } catch (LeaseException e) {
            return e.error();
        }
        throw new AssertionError("expected a LeaseException");
    }

    @Test
    void attachedKeyIsReportedByTheLease() {
        Lessor lessor = new Lessor(OPTIONS);
        lessor.grant(1, 10, 0);
        lessor.attach(1, ByteKey.utf8("a"));
        lessor.attach(1, ByteKey.utf8("a")); // a second Put of the same key with the same lease
        assertThat(lessor.leaseOf(ByteKey.utf8("a"))).isEqualTo(1);
        assertThat(lessor.timeToLive(1, 0, true).orElseThrow().keys()).containsExactly(ByteKey.utf8("a"));
    }

    @Test
    void detachedKeyIsNotDeletedWithTheLease() {
        Lessor lessor = new Lessor(OPTIONS);
        lessor.grant(1, 10, 0);
        lessor.attach(1, ByteKey.utf8("a"));
        lessor.attach(1, ByteKey.utf8("b"));
        lessor.detach(1, ByteKey.utf8("a"));
        assertThat(lessor.leaseOf(ByteKey.utf8("a"))).isEqualTo(Lessor.NO_LEASE);
        assertThat(lessor.revoke(1).keys()).containsExactly(ByteKey.utf8("b"));
        lessor.verifyInvariants();
    }

    @Test
    void keyPutWithAnotherLeaseMovesToIt() {
        Lessor lessor = new Lessor(OPTIONS);
        lessor.grant(1, 10, 0);
        lessor.grant(2, 10, 0);
        lessor.attach(1, ByteKey.utf8("k"));

        lessor.attach(2, ByteKey.utf8("k"));

        assertThat(lessor.leaseOf(ByteKey.utf8("k"))).isEqualTo(2);
        assertThat(lessor.revoke(1).keys()).isEmpty();
        assertThat(lessor.revoke(2).keys()).containsExactly(ByteKey.utf8("k"));
        lessor.verifyInvariants();
    }

    @Test
    void detachFromTheWrongLeaseLeavesTheKeyAttached() {
        Lessor lessor = new Lessor(OPTIONS);
        lessor.grant(1, 10, 0);
        lessor.grant(2, 10, 0);
        lessor.attach(2, ByteKey.utf8("k"));
        lessor.detach(1, ByteKey.utf8("k"));
        assertThat(lessor.leaseOf(ByteKey.utf8("k"))).isEqualTo(2);
        lessor.verifyInvariants();
    }

    @Test
    void attachOrDetachOnAMissingLeaseFails() {
        Lessor lessor = new Lessor(OPTIONS);
        assertThat(errorOf(() -> lessor.attach(1, ByteKey.utf8("k")))).isEqualTo(LeaseError.NOT_FOUND);
        assertThat(errorOf(() -> lessor.detach(1, ByteKey.utf8("k")))).isEqualTo(LeaseError.NOT_FOUND);
    }

    @Test
    void keysAreCopiedAndOrderedAsUnsignedBytes() {
        byte[] raw = {1, 2, 3};
        ByteKey key = ByteKey.copyOf(raw);
        raw[0] = 9;
        assertThat(key).isEqualTo(ByteKey.copyOf(new byte[] {1, 2, 3}));
        assertThat(key.toByteArray()).containsExactly(1, 2, 3);
        assertThat(ByteKey.copyOf(new byte[] {(byte) 0x80})).isGreaterThan(ByteKey.utf8("z"));
        assertThat(ByteKey.utf8("ab")).isGreaterThan(ByteKey.utf8("a"));
        assertThat(ByteKey.copyOf(new byte[] {'a', 0, '\\'}).toString()).isEqualTo("a\\x00\\x5c");
    }

    @Test
    @Timeout(10)
    void revokingALeaseWithManyKeysIsCheap() {
        Lessor lessor = new Lessor(OPTIONS);
        for (long id = 1; id <= 50; id++) {
            lessor.grant(id, 60, 0);
            for (int k = 0; k < 1_000; k++) {
                lessor.attach(id, ByteKey.utf8("/registry/events/ns-" + id + "/event-" + k));
            }
        }
        List<ByteKey> deleted = new ArrayList<>();
        for (long id = 1; id <= 50; id++) {
            deleted.addAll(lessor.revoke(id).keys());
        }
        assertThat(deleted).hasSize(50_000);
        assertThat(lessor.leases()).isEmpty();
        lessor.verifyInvariants();
    }
}
