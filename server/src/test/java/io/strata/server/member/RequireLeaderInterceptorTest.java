package io.strata.server.member;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.strata.raft.PeerProgress;
import io.strata.raft.ProgressState;
import io.strata.raft.RaftRole;
import io.strata.raft.RaftStatus;
import io.strata.raft.proto.ConfState;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequireLeaderInterceptorTest {
  private static Metadata requireLeader() {
    Metadata headers = new Metadata();
    headers.put(RequireLeaderInterceptor.requireLeaderKey, "true");
    return headers;
  }

  @Test
  void refusesOnlyRequestsThatRequireALeaderWhileThereIsNone() {
    long[] leader = {0};
    RequireLeaderInterceptor interceptor = new RequireLeaderInterceptor(() -> leader[0]);
    assertThat(interceptor.refuses(requireLeader())).isTrue();
    assertThat(interceptor.refuses(new Metadata())).isFalse();
    leader[0] = 5;
    assertThat(interceptor.refuses(requireLeader())).isFalse();
  }

  private static PeerProgress match(long match) {
    return new PeerProgress(match, match + 1, ProgressState.REPLICATE, true, false, 0, 0);
  }

  @Test
  void learnerIsReadyOnceItsLogMatchesNinetyPercentOfTheLeaders() {
    RaftStatus behind = new RaftStatus(1, 2, 1, 1, RaftRole.LEADER, 100, 100, 100,
        Map.of(1L, match(100), 4L, match(89)), 0, ConfState.getDefaultInstance());
    assertThat(Reconfiguration.learnerNotReady(behind, 4)).isNotNull()
        .hasMessage("etcdserver: can only promote a learner member which is in sync with leader");
    RaftStatus close = new RaftStatus(1, 2, 1, 1, RaftRole.LEADER, 100, 100, 100,
        Map.of(1L, match(100), 4L, match(90)), 0, ConfState.getDefaultInstance());
    assertThat(Reconfiguration.learnerNotReady(close, 4)).isNull();
    RaftStatus follower = new RaftStatus(2, 2, 1, 1, RaftRole.FOLLOWER, 100, 100, 100,
        Map.of(), 0, ConfState.getDefaultInstance());
    assertThat(Reconfiguration.learnerNotReady(follower, 4)).hasMessage("etcdserver: not leader");
  }
}
