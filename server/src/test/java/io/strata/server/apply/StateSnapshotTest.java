package io.strata.server.apply;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.strata.api.etcdserverpb.LeaseGrantRequest;
import io.strata.api.etcdserverpb.PutRequest;
import io.strata.api.etcdserverpb.RangeRequest;
import io.strata.api.etcdserverpb.RangeResponse;
import io.strata.api.serverpb.InternalRequest;
import io.strata.api.serverpb.MembershipState;
import io.strata.lease.Lessor;
import io.strata.lease.LessorOptions;
import io.strata.mvcc.MvccOptions;
import io.strata.mvcc.MvccStore;
import java.io.DataOutputStream;
import org.junit.jupiter.api.Test;

class StateSnapshotTest {
  @Test
  void snapshotRestoresEveryKeyTheConsistentIndexAndTheLeases() throws Exception {
    Lessor[] lessorRef = new Lessor[1];
    MvccOptions options = new MvccOptions(1024, id -> lessorRef[0].exists(id));
    Lessor lessor = new Lessor(LessorOptions.defaults());
    lessorRef[0] = lessor;
    try (MvccStore store = MvccStore.open(options)) {
      StateMachine state = new StateMachine(store, lessor, options, rev -> { }, () -> 0L, (a, b) -> { });
      state.apply(InternalRequest.newBuilder().setLeaseGrant(LeaseGrantRequest.newBuilder().setID(7).setTTL(60)).build());
      for (int i = 0; i < 300; i++) {
        state.apply(InternalRequest.newBuilder().setPut(PutRequest.newBuilder()
            .setKey(ByteString.copyFromUtf8(String.format("/snap/w%d/%06d", i % 4, i)))
            .setValue(ByteString.copyFromUtf8("v" + i))
            .setLease(i % 10 == 0 ? 7 : 0)).build());
        store.setConsistentIndex(i + 2);
      }
      ByteString.Output out = ByteString.newOutput();
      StateSnapshot.write(store, lessor, out);

      for (boolean inPlace : new boolean[] {false, true}) {
        Lessor restoredLessor = new Lessor(LessorOptions.defaults());
        // In place, the restored store reads its records from the snapshot's bytes.
        try (MvccStore restored = inPlace
            ? StateSnapshot.read(out.toByteString(), options, restoredLessor, null, 0L)
            : StateSnapshot.read(out.toByteString().newInput(), options, restoredLessor, 0L)) {
          RangeResponse all = restored.range(RangeRequest.newBuilder()
              .setKey(ByteString.copyFromUtf8("/snap/")).setRangeEnd(ByteString.copyFromUtf8("/snap0")).build());
          assertThat(all.getCount()).isEqualTo(300);
          assertThat(all.getKvs(299).getValue().toStringUtf8()).isEqualTo("v299");
          assertThat(restored.currentRevision()).isEqualTo(store.currentRevision());
          assertThat(restored.consistentIndex()).isEqualTo(301);
          assertThat(restoredLessor.exists(7)).isTrue();
          assertThat(restored.keysWithLease(7)).hasSize(30);
          ByteString.Output again = ByteString.newOutput();
          StateSnapshot.write(restored, restoredLessor, again);
          assertThat(again.toByteString()).as("snapshot of the store restored (in place: %s)", inPlace)
              .isEqualTo(out.toByteString());
        }
      }
    }
  }
  /** Version 2, as earlier releases wrote it: the store's section first, prefixed with its length. */
  @Test
  void versionTwoSnapshotsStillRestore() throws Exception {
    MvccOptions options = new MvccOptions(64, id -> false);
    Lessor lessor = new Lessor(LessorOptions.defaults());
    try (MvccStore store = MvccStore.open(options)) {
      store.put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).setValue(ByteString.copyFromUtf8("v")).build());
      store.setConsistentIndex(5);
      ByteString.Output mvcc = ByteString.newOutput();
      store.writeSnapshot(mvcc);
      byte[] membership = MembershipState.getDefaultInstance().toByteArray();
      ByteString.Output out = ByteString.newOutput();
      DataOutputStream data = new DataOutputStream(out);
      data.writeInt(0x53544132);
      data.writeLong(mvcc.size());
      mvcc.toByteString().writeTo(data);
      data.writeInt(membership.length);
      data.write(membership);
      lessor.writeTo(data);
      data.flush();

      try (MvccStore restored = StateSnapshot.read(out.toByteString().newInput(), options,
          new Lessor(LessorOptions.defaults()), 0L)) {
        assertThat(restored.consistentIndex()).isEqualTo(5);
        assertThat(restored.range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8("k")).build())
            .getKvs(0).getValue().toStringUtf8()).isEqualTo("v");
      }
    }
  }
}
