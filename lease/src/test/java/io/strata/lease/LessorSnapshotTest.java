package io.strata.lease;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class LessorSnapshotTest {
    private static final LessorOptions OPTIONS = new LessorOptions(2, 500, 60_000);

    private static byte[] snapshotOf(Lessor lessor) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        lessor.writeTo(new DataOutputStream(bytes));
        return bytes.toByteArray();
    }

    private static DataInputStream input(byte[] bytes) {
        return new DataInputStream(new ByteArrayInputStream(bytes));
    }

    private static Lessor sampleLessor() {
        Lessor lessor = new Lessor(OPTIONS);
        lessor.promote(0, 0);
        lessor.grant(3, 300, 0);
        lessor.grant(1, 10, 0);
        lessor.grant(2, 600, 0);
        lessor.attach(1, ByteKey.utf8("/registry/events/a"));
        lessor.attach(1, ByteKey.utf8("/registry/events/b"));
        lessor.attach(3, ByteKey.copyOf(new byte[] {0, (byte) 0x80, 1}));
        lessor.applyCheckpoint(3, 120, 0);
        return lessor;
    }

    @Test
    void snapshotRoundTripKeepsLeasesTtlsCheckpointsAndKeys() throws IOException {
        Lessor original = sampleLessor();

        Lessor restored = Lessor.readFrom(input(snapshotOf(original)), OPTIONS, 1_000_000);

        restored.verifyInvariants();
        assertThat(restored.isPrimary()).isFalse();
        assertThat(restored.leases()).containsExactly(1L, 2L, 3L);
        for (long id : restored.leases()) {
            LeaseStatus before = original.timeToLive(id, 0, true).orElseThrow();
            LeaseStatus after = restored.timeToLive(id, 0, true).orElseThrow();
            assertThat(after.grantedTtlSeconds()).isEqualTo(before.grantedTtlSeconds());
            assertThat(after.keys()).isEqualTo(before.keys());
        }
        assertThat(restored.timeToLive(3, 0, false).orElseThrow().remainingTtlSeconds()).isEqualTo(120);
        assertThat(restored.leaseOf(ByteKey.utf8("/registry/events/b"))).isEqualTo(1);
        assertThat(snapshotOf(restored)).isEqualTo(snapshotOf(original));
    }

    @Test
    void restoredLeasesExpireFromThePromotionTime() throws IOException {
        Lessor restored = Lessor.readFrom(input(snapshotOf(sampleLessor())), OPTIONS, 1_000_000);
        restored.promote(1_000_000, 0);
        assertThat(restored.expiryMillisOf(1)).isEqualTo(1_010_000);
        assertThat(restored.expiryMillisOf(3)).isEqualTo(1_120_000);
        assertThat(restored.expiredLeases(1_009_999, 10)).isEmpty();
        assertThat(restored.expiredLeases(1_010_000, 10)).containsExactly(1L);
    }

    @Test
    void restoreIntoAPrimaryStartsExpiryFromTheRestoreTime() throws IOException {
        byte[] snapshot = snapshotOf(sampleLessor());
        Lessor primary = new Lessor(OPTIONS);
        primary.promote(0, 0);
        primary.grant(99, 10, 0);

        primary.restore(input(snapshot), 500_000);

        primary.verifyInvariants();
        assertThat(primary.leases()).containsExactly(1L, 2L, 3L);
        assertThat(primary.expiryMillisOf(1)).isEqualTo(510_000);
        assertThat(primary.expiredLeases(510_000, 10)).containsExactly(1L);
    }

    @Test
    void snapshotBytesDoNotDependOnOperationOrderOrRole() throws IOException {
        Lessor a = new Lessor(OPTIONS);
        a.promote(0, 0);
        Lessor b = new Lessor(OPTIONS);
        for (long id = 1; id <= 50; id++) {
            a.grant(id, id, 0);
            b.grant(51 - id, 51 - id, 7);
        }
        for (int k = 0; k < 100; k++) {
            a.attach(1 + k % 50, ByteKey.utf8("key" + k));
            b.attach(1 + (99 - k) % 50, ByteKey.utf8("key" + (99 - k)));
        }
        assertThat(snapshotOf(a)).isEqualTo(snapshotOf(b));
    }

    @Test
    void restoreRaisesTtlsBelowTheCurrentMinimum() throws IOException {
        byte[] snapshot = snapshotOf(sampleLessor());
        Lessor restored = Lessor.readFrom(input(snapshot), new LessorOptions(20, 500, 0), 0);
        assertThat(restored.timeToLive(1, 0, false).orElseThrow().grantedTtlSeconds()).isEqualTo(20);
    }

    @Test
    void corruptSnapshotsAreRejectedAndLeaveTheLessorUnchanged() throws IOException {
        byte[] snapshot = snapshotOf(sampleLessor());
        Lessor lessor = new Lessor(OPTIONS);
        lessor.grant(42, 10, 0);

        byte[] badMagic = snapshot.clone();
        badMagic[0] ^= 1;
        assertThatThrownBy(() -> lessor.restore(input(badMagic), 0)).isInstanceOf(IOException.class);
        byte[] truncated = Arrays.copyOf(snapshot, snapshot.length - 3);
        assertThatThrownBy(() -> lessor.restore(input(truncated), 0)).isInstanceOf(IOException.class);
        byte[] negativeCount = snapshot.clone();
        negativeCount[8] = (byte) 0xff;
        assertThatThrownBy(() -> lessor.restore(input(negativeCount), 0)).isInstanceOf(IOException.class);

        assertThat(lessor.leases()).containsExactly(42L);
    }

    @Test
    void emptyLessorRoundTrips() throws IOException {
        Lessor restored = Lessor.readFrom(input(snapshotOf(new Lessor(OPTIONS))), OPTIONS, 0);
        assertThat(restored.leases()).isEmpty();
    }
}
