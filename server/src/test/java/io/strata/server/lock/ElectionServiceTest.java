package io.strata.server.lock;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.strata.api.v3electionpb.CampaignRequest;
import io.strata.api.v3electionpb.CampaignResponse;
import io.strata.api.v3electionpb.LeaderKey;
import io.strata.api.v3electionpb.LeaderRequest;
import io.strata.api.v3electionpb.LeaderResponse;
import io.strata.api.v3electionpb.ProclaimRequest;
import io.strata.api.v3electionpb.ProclaimResponse;
import io.strata.api.v3electionpb.ResignRequest;
import io.strata.api.v3electionpb.ResignResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ElectionServiceTest {
  private final FakeMember member = new FakeMember();
  private final ElectionService service = new ElectionService(member);

  @AfterEach
  void close() throws Exception {
    service.close();
    member.close();
  }

  @Test
  void firstCandidateIsElectedWithItsKeyRevisionAndLease() {
    long lease = member.grantLease();

    LeaderKey leader = campaign("db", lease, "a").first.join().getLeader();

    assertThat(leader.getName().toStringUtf8()).isEqualTo("db");
    assertThat(leader.getKey().toStringUtf8()).isEqualTo("db/" + Long.toHexString(lease));
    assertThat(leader.getLease()).isEqualTo(lease);
    assertThat(leader.getRev()).isEqualTo(member.range(QueueRequests.get(leader.getKey())).getKvs(0).getCreateRevision());
    assertThat(value(leader("db"))).isEqualTo("a");
  }

  @Test
  void secondCandidateIsElectedWhenTheLeaderResigns() {
    LeaderKey first = campaign("db", member.grantLease(), "a").first.join().getLeader();
    RecordingCall<CampaignResponse> second = campaign("db", member.grantLease(), "b");
    assertThat(second.first).isNotDone();

    RecordingCall<ResignResponse> resign = new RecordingCall<>();
    service.resign(ResignRequest.newBuilder().setLeader(first).build(), resign);
    settle();

    assertThat(resign.ended).isCompleted();
    assertThat(second.first).isCompleted();
    assertThat(value(leader("db"))).isEqualTo("b");
    assertThat(service.followedCount()).isZero();
  }

  @Test
  void campaignAgainWithANewValueProclaimsIt() {
    long lease = member.grantLease();
    LeaderKey first = campaign("db", lease, "old").first.join().getLeader();

    LeaderKey again = campaign("db", lease, "new").first.join().getLeader();

    assertThat(again).isEqualTo(first);
    assertThat(value(leader("db"))).isEqualTo("new");
  }

  @Test
  void proclaimByAStaleLeaderFailsWithNotLeader() {
    LeaderKey leader = campaign("db", member.grantLease(), "a").first.join().getLeader();
    RecordingCall<ProclaimResponse> stale = new RecordingCall<>();

    service.proclaim(ProclaimRequest.newBuilder()
        .setLeader(leader.toBuilder().setRev(leader.getRev() + 100))
        .setValue(ByteString.copyFromUtf8("b"))
        .build(), stale);
    settle();

    assertThat(stale.failure().getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN);
    assertThat(stale.failure().getStatus().getDescription()).isEqualTo("election: not leader");
    assertThat(value(leader("db"))).isEqualTo("a");
  }

  @Test
  void leaderOfAnEmptyElectionFailsWithNoLeader() {
    RecordingCall<LeaderResponse> call = leader("db");

    assertThat(call.failure().getStatus().getDescription()).isEqualTo("election: no leader");
  }

  @Test
  void observerSeesTheLeaderItsProclamationsAndItsSuccessor() {
    RecordingCall<LeaderResponse> observer = new RecordingCall<>();
    service.observe(LeaderRequest.newBuilder().setName(ByteString.copyFromUtf8("db")).build(), observer);
    settle();
    assertThat(observer.sent).isEmpty();

    LeaderKey first = campaign("db", member.grantLease(), "a").first.join().getLeader();
    RecordingCall<ProclaimResponse> proclaim = new RecordingCall<>();
    service.proclaim(ProclaimRequest.newBuilder().setLeader(first).setValue(ByteString.copyFromUtf8("a2")).build(),
        proclaim);
    RecordingCall<CampaignResponse> second = campaign("db", member.grantLease(), "b");
    // A key of a nested election under the same prefix is not the leader's: ignored.
    campaign("db/inner", member.grantLease(), "x");
    service.resign(ResignRequest.newBuilder().setLeader(first).build(), new RecordingCall<>());
    settle();

    assertThat(second.first).isCompleted();
    assertThat(observer.sent.stream().map(r -> r.getKv().getValue().toStringUtf8())).containsExactly("a", "a2", "b");

    observer.cancel();
    settle();
    assertThat(service.followedCount()).isZero();
  }

  @Test
  void proclaimAndResignWithoutALeaderAreRefused() {
    RecordingCall<ProclaimResponse> proclaim = new RecordingCall<>();
    RecordingCall<ResignResponse> resign = new RecordingCall<>();

    service.proclaim(ProclaimRequest.getDefaultInstance(), proclaim);
    service.resign(ResignRequest.getDefaultInstance(), resign);

    for (RecordingCall<?> call : List.of(proclaim, resign)) {
      assertThat(call.failure().getStatus().getDescription()).isEqualTo("\"leader\" field must be provided");
    }
  }

  private RecordingCall<CampaignResponse> campaign(String name, long lease, String value) {
    RecordingCall<CampaignResponse> call = new RecordingCall<>();
    service.campaign(CampaignRequest.newBuilder()
        .setName(ByteString.copyFromUtf8(name))
        .setLease(lease)
        .setValue(ByteString.copyFromUtf8(value))
        .build(), call);
    settle();
    return call;
  }

  private RecordingCall<LeaderResponse> leader(String name) {
    RecordingCall<LeaderResponse> call = new RecordingCall<>();
    service.leader(LeaderRequest.newBuilder().setName(ByteString.copyFromUtf8(name)).build(), call);
    settle();
    return call;
  }

  private static String value(RecordingCall<LeaderResponse> call) {
    return call.first.join().getKv().getValue().toStringUtf8();
  }

  private void settle() {
    for (int i = 0; i < 8; i++) {
      member.drainApply();
      FakeMember.await(service.idle());
    }
  }
}
