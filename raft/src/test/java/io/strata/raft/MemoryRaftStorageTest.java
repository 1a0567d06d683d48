package io.strata.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.strata.raft.proto.ConfState;
import io.strata.raft.proto.Entry;
import io.strata.raft.proto.Snapshot;
import io.strata.raft.proto.SnapshotMetadata;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryRaftStorageTest {

  private static List<Entry> entries(long firstIndex, long... terms) {
    List<Entry> out = new ArrayList<>();
    for (int i = 0; i < terms.length; i++) {
      out.add(Entry.newBuilder().setIndex(firstIndex + i).setTerm(terms[i]).build());
    }
    return out;
  }

  @Test
  void emptyStorageStartsAtIndexOne() {
    MemoryRaftStorage s = new MemoryRaftStorage();
    assertThat(s.firstIndex()).isEqualTo(1);
    assertThat(s.lastIndex()).isZero();
    assertThat(s.term(0)).isZero();
    assertThatThrownBy(() -> s.term(1)).isInstanceOf(UnavailableLogException.class);
  }

  @Test
  void appendOverwritesConflictingTail() {
    MemoryRaftStorage s = new MemoryRaftStorage();
    s.append(entries(1, 1, 1, 1));
    s.append(entries(2, 2));
    assertThat(s.lastIndex()).isEqualTo(2);
    assertThat(s.term(2)).isEqualTo(2);
  }

  @Test
  void compactedEntriesAreGoneButLastTermIsKept() {
    MemoryRaftStorage s = new MemoryRaftStorage();
    s.append(entries(1, 1, 2, 3));
    s.compact(2);
    assertThat(s.firstIndex()).isEqualTo(3);
    assertThat(s.term(2)).isEqualTo(2);
    assertThatThrownBy(() -> s.term(1)).isInstanceOf(CompactedLogException.class);
    assertThatThrownBy(() -> s.entries(2, 4, Long.MAX_VALUE)).isInstanceOf(CompactedLogException.class);
    assertThat(s.entries(3, 4, Long.MAX_VALUE)).extracting(Entry::getTerm).containsExactly(3L);
  }

  @Test
  void entriesAreLimitedBySizeButNeverEmpty() {
    MemoryRaftStorage s = new MemoryRaftStorage();
    s.append(entries(1, 1, 1, 1, 1));
    assertThat(s.entries(1, 5, 0)).hasSize(1);
    long one = s.entries(1, 2, Long.MAX_VALUE).get(0).getSerializedSize();
    assertThat(s.entries(1, 5, 2 * one)).hasSize(2);
  }

  @Test
  void snapshotReplacesTheLogAndOlderSnapshotsAreRefused() {
    MemoryRaftStorage s = new MemoryRaftStorage();
    s.append(entries(1, 1, 1, 2));
    Snapshot snap = s.createSnapshot(2, ConfState.newBuilder().addVoters(1).build(), ByteString.copyFromUtf8("state"));
    assertThat(snap.getMetadata().getTerm()).isEqualTo(1);
    assertThatThrownBy(() -> s.createSnapshot(2, null, ByteString.EMPTY)).isInstanceOf(SnapshotOutOfDateException.class);

    MemoryRaftStorage other = new MemoryRaftStorage();
    other.applySnapshot(Snapshot.newBuilder().setMetadata(SnapshotMetadata.newBuilder().setIndex(10).setTerm(3)).build());
    assertThat(other.firstIndex()).isEqualTo(11);
    assertThat(other.lastIndex()).isEqualTo(10);
    assertThat(other.term(10)).isEqualTo(3);
    assertThatThrownBy(() -> other.applySnapshot(snap)).isInstanceOf(SnapshotOutOfDateException.class);
  }
}
