package io.strata.server.lock;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.strata.api.v3lockpb.LockRequest;
import io.strata.api.v3lockpb.LockResponse;
import io.strata.api.v3lockpb.UnlockRequest;
import io.strata.api.v3lockpb.UnlockResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LockServiceTest {
  private final FakeMember member = new FakeMember();
  private final LockService service = new LockService(member);

  @AfterEach
  void close() throws Exception {
    service.close();
    member.close();
  }

  @Test
  void freeLockIsGrantedAtOnceWithTheKeyNameSlashHexLease() {
    long lease = member.grantLease();

    RecordingCall<LockResponse> call = lock("jobs", lease);
    settle();

    LockResponse response = call.first.join();
    assertThat(response.getKey().toStringUtf8()).isEqualTo("jobs/" + Long.toHexString(lease));
    assertThat(response.getHeader().getRevision()).isEqualTo(member.range(QueueRequests.get(response.getKey()))
        .getKvs(0).getCreateRevision());
    assertThat(service.followedCount()).isZero();
  }

  @Test
  void waiterIsGrantedOnlyWhenTheKeyAheadIsDeleted() {
    long first = member.grantLease();
    long second = member.grantLease();
    lock("jobs", first);
    settle();

    RecordingCall<LockResponse> waiter = lock("jobs", second);
    settle();
    assertThat(waiter.first).isNotDone();

    member.delete("jobs/" + Long.toHexString(first));
    settle();

    assertThat(waiter.first.join().getKey().toStringUtf8()).isEqualTo("jobs/" + Long.toHexString(second));
    assertThat(service.followedCount()).as("nothing followed once granted").isZero();
  }

  @Test
  void eachWaiterFollowsOnlyTheKeyJustAheadOfItAndItsOwn() {
    long holder = member.grantLease();
    lock("jobs", holder);
    settle();
    RecordingCall<LockResponse> a = lock("jobs", member.grantLease());
    settle();
    RecordingCall<LockResponse> b = lock("jobs", member.grantLease());
    settle();
    RecordingCall<LockResponse> c = lock("jobs", member.grantLease());
    settle();

    assertThat(service.followedCount()).isEqualTo(6);

    member.delete("jobs/" + Long.toHexString(holder));
    settle();
    assertThat(a.first).isDone();
    assertThat(b.first).isNotDone();
    assertThat(c.first).isNotDone();
  }

  @Test
  void waiterWhoseOwnKeyIsDeletedFailsWithSessionExpired() {
    lock("jobs", member.grantLease());
    long waiterLease = member.grantLease();
    RecordingCall<LockResponse> waiter = lock("jobs", waiterLease);
    settle();

    member.revoke(waiterLease);
    settle();

    assertThat(waiter.failure().getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
    assertThat(waiter.failure().getStatus().getDescription()).isEqualTo("mutex: session is expired");
    assertThat(service.followedCount()).isZero();
  }

  @Test
  void cancelledWaiterDeletesItsKeyAndStopsFollowing() {
    lock("jobs", member.grantLease());
    long waiterLease = member.grantLease();
    RecordingCall<LockResponse> waiter = lock("jobs", waiterLease);
    settle();
    assertThat(member.exists("jobs/" + Long.toHexString(waiterLease))).isTrue();

    waiter.cancel();
    settle();

    assertThat(member.exists("jobs/" + Long.toHexString(waiterLease))).isFalse();
    assertThat(service.followedCount()).isZero();
    assertThat(waiter.ended).isNotDone();
  }

  @Test
  void lockWithAMissingLeaseFailsWithLeaseNotFoundAsUnknown() {
    RecordingCall<LockResponse> call = lock("jobs", 0xdead);
    settle();

    assertThat(call.failure().getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
    assertThat(call.failure().getStatus().getDescription()).isEqualTo("etcdserver: requested lease not found");
  }

  @Test
  void lockWithoutALeaseGrantsOneForTheKey() {
    RecordingCall<LockResponse> call = lock("jobs", 0);
    settle();

    ByteString key = call.first.join().getKey();
    assertThat(member.range(QueueRequests.get(key)).getKvs(0).getLease()).isNotZero();
  }

  @Test
  void unlockDeletesTheKey() {
    RecordingCall<LockResponse> locked = lock("jobs", member.grantLease());
    settle();
    RecordingCall<UnlockResponse> unlock = new RecordingCall<>();

    service.unlock(UnlockRequest.newBuilder().setKey(locked.first.join().getKey()).build(), unlock);
    settle();

    assertThat(unlock.ended).isCompleted();
    assertThat(member.range(QueueRequests.get(locked.first.join().getKey())).getKvsCount()).isZero();
  }

  private RecordingCall<LockResponse> lock(String name, long lease) {
    RecordingCall<LockResponse> call = new RecordingCall<>();
    service.lock(LockRequest.newBuilder().setName(ByteString.copyFromUtf8(name)).setLease(lease).build(), call);
    return call;
  }

  /** Lets the apply thread and the waiter thread run until both have nothing left to do. */
  private void settle() {
    for (int i = 0; i < 8; i++) {
      member.drainApply();
      FakeMember.await(service.idle());
    }
  }
}
