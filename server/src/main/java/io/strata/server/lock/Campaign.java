package io.strata.server.lock;

import com.google.protobuf.ByteString;
import io.grpc.stub.ServerCallStreamObserver;
import io.strata.api.etcdserverpb.TxnResponse;
import io.strata.api.mvccpb.KeyValue;
import io.strata.api.serverpb.InternalRequest;
import io.strata.api.v3electionpb.CampaignRequest;
import io.strata.api.v3electionpb.CampaignResponse;
import io.strata.api.v3electionpb.LeaderKey;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Campaign call, etcd's election: queue the key {@code name/hex(lease)} with the proposal
 * (a candidate already queued with another value proclaims the new one), then wait until it is
 * the oldest key under {@code name/}. A cancelled candidate resigns.
 *
 * <p>As in etcd, the answer's header is the one of the write that queued the candidate, and a
 * candidate whose own key disappears while it waits is still answered as elected when the keys
 * ahead are gone; a later Proclaim then fails with "election: not leader".
 */
final class Campaign {
  private static final Logger log = LoggerFactory.getLogger(Campaign.class);

  private final MemberAccess member;
  private final KeyEvents events;
  private final Executor executor;
  private final ServerCallStreamObserver<CampaignResponse> observer;
  private final CampaignRequest request;
  private final ByteString prefix;
  private LeaderKey leader;
  private long queuedRevision;
  private TurnWait turn;
  private boolean cancelled;
  private boolean answered;

  private record Joined(long lease, ByteString key, TxnResponse response) {}

  Campaign(MemberAccess member, KeyEvents events, Executor executor,
      ServerCallStreamObserver<CampaignResponse> observer, CampaignRequest request) {
    this.member = member;
    this.events = events;
    this.executor = executor;
    this.observer = observer;
    this.request = request;
    this.prefix = QueueRequests.prefix(request.getName());
  }

  void start() {
    observer.setOnCancelHandler(() -> executor.execute(this::onCancelled));
    SessionLease.resolve(member, request.getLease())
        .thenCompose(lease -> {
          ByteString k = QueueRequests.contenderKey(prefix, lease);
          return member.write(InternalRequest.newBuilder()
                  .setTxn(QueueRequests.join(prefix, k, request.getValue(), lease)))
              .thenApply(r -> new Joined(lease, k, (TxnResponse) r));
        })
        .whenCompleteAsync((joined, failure) -> {
          if (failure != null) {
            fail(failure);
          } else {
            joined(joined);
          }
        }, executor);
  }

  private void joined(Joined joined) {
    TxnResponse response = joined.response();
    queuedRevision = response.getHeader().getRevision();
    long leaderRevision = queuedRevision;
    boolean proclaim = false;
    if (!response.getSucceeded()) {
      KeyValue existing = response.getResponses(0).getResponseRange().getKvs(0);
      leaderRevision = existing.getCreateRevision();
      proclaim = !existing.getValue().equals(request.getValue());
    }
    leader = LeaderKey.newBuilder()
        .setName(request.getName())
        .setKey(joined.key())
        .setRev(leaderRevision)
        .setLease(joined.lease())
        .build();
    if (!proclaim) {
      awaitTurn();
      return;
    }
    ElectionRequests.proclaim(member, leader.getKey(), leader.getRev(), request.getValue(), leader.getLease())
        .whenCompleteAsync((r, failure) -> {
          if (failure != null) {
            resign();
            fail(failure);
          } else {
            awaitTurn();
          }
        }, executor);
  }

  private void awaitTurn() {
    if (cancelled) {
      answered = true;
      resign();
      return;
    }
    turn = TurnWait.start(member, events, executor, prefix, leader.getRev());
    turn.turn().whenCompleteAsync((revision, failure) -> {
      if (answered) {
        return;
      }
      if (failure != null) {
        if (cancelled) {
          answered = true;
          resign();
        } else {
          fail(failure);
        }
        return;
      }
      answered = true;
      send(CampaignResponse.newBuilder().setHeader(member.header(queuedRevision)).setLeader(leader).build(), null);
    }, executor);
  }

  private void onCancelled() {
    cancelled = true;
    if (turn != null) {
      turn.cancel();
    }
  }

  private void resign() {
    ElectionRequests.resign(member, leader.getKey(), leader.getRev()).whenComplete((r, failure) -> {
      if (failure != null) {
        log.debug("could not resign the abandoned candidate {}", leader.getKey().toStringUtf8(), failure);
      }
    });
  }

  private void fail(Throwable failure) {
    answered = true;
    send(null, failure);
  }

  private void send(CampaignResponse response, Throwable failure) {
    if (observer.isCancelled()) {
      return;
    }
    try {
      if (failure != null) {
        observer.onError(RecipeStatus.of(failure));
      } else {
        observer.onNext(response);
        observer.onCompleted();
      }
    } catch (RuntimeException e) {
      // The call ended between the check and the send; nobody is left to tell.
      log.debug("campaign answer not delivered", e);
    }
  }
}
