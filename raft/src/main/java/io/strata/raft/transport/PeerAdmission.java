package io.strata.raft.transport;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses peer calls that must not reach Raft: from another cluster, meant for another member,
 * or from a member this one removed or does not know. The refusal texts are etcd's, so that
 * operators recognise them. A sender retries every few seconds, so each sender's refusal is
 * logged as a warning only when its reason changes.
 */
final class PeerAdmission implements ServerInterceptor {
  private static final Logger log = LoggerFactory.getLogger(PeerAdmission.class);

  static final String clusterIdMismatch = "cluster ID mismatch";
  static final String raftIdMismatch = "raft ID mismatch";
  static final String senderRemoved = "rejected stream from remote peer because it was removed";
  static final String senderNotFound = "error sender not found";
  static final String identityMissing = "missing peer identity metadata";

  private static final int maxRememberedSenders = 1024;

  private final long localId;
  private final long clusterId;
  private final LongPredicate isRemoved;
  private final LongPredicate isKnown;
  private final Map<Long, String> lastRefusal = new ConcurrentHashMap<>();

  PeerAdmission(long localId, long clusterId, LongPredicate isRemoved, LongPredicate isKnown) {
    this.localId = localId;
    this.clusterId = clusterId;
    this.isRemoved = isRemoved;
    this.isKnown = isKnown;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                    ServerCallHandler<Q, R> next) {
    long remoteCluster = PeerIdentity.parse(headers.get(PeerIdentity.clusterIdKey));
    long from = PeerIdentity.parse(headers.get(PeerIdentity.memberIdKey));
    long to = PeerIdentity.parse(headers.get(PeerIdentity.raftToKey));
    Status refusal = null;
    if (remoteCluster == 0 || from == 0 || to == 0) {
      refusal = Status.INVALID_ARGUMENT.withDescription(identityMissing);
    } else if (remoteCluster != clusterId) {
      refusal = Status.FAILED_PRECONDITION.withDescription(clusterIdMismatch);
    } else if (to != localId) {
      refusal = Status.FAILED_PRECONDITION.withDescription(raftIdMismatch);
    } else if (isRemoved.test(from)) {
      refusal = Status.PERMISSION_DENIED.withDescription(senderRemoved);
    } else if (!isKnown.test(from)) {
      refusal = Status.NOT_FOUND.withDescription(senderNotFound);
    }
    if (refusal != null) {
      logRefusal(refusal.getDescription(), from, remoteCluster, to, call.getMethodDescriptor().getBareMethodName());
      call.close(refusal, new Metadata());
      return new ServerCall.Listener<>() {};
    }
    lastRefusal.remove(from);
    Context context = Context.current().withValue(PeerIdentity.sender, from);
    return Contexts.interceptCall(context, call, headers, next);
  }

  private void logRefusal(String reason, long from, long remoteCluster, long to, String method) {
    if (lastRefusal.size() > maxRememberedSenders) {
      // Senders with made-up ids must not grow this map without bound; forgetting only costs
      // one more warning per sender.
      lastRefusal.clear();
    }
    if (reason.equals(lastRefusal.put(from, reason))) {
      log.debug("{}: local-member-id={} remote-peer-id={} local-cluster-id={} remote-cluster-id={} method={}",
          reason, PeerIdentity.hex(localId), PeerIdentity.hex(from), PeerIdentity.hex(clusterId),
          PeerIdentity.hex(remoteCluster), method);
      return;
    }
    switch (reason) {
      case clusterIdMismatch -> log.warn("request cluster ID mismatch: local-member-id={} local-cluster-id={} "
              + "remote-peer-id={} remote-cluster-id={}", PeerIdentity.hex(localId), PeerIdentity.hex(clusterId),
          PeerIdentity.hex(from), PeerIdentity.hex(remoteCluster));
      case raftIdMismatch -> log.warn("ignored stream request; local member ID mismatch: local-member-id={} "
          + "remote-peer-id={} requested-member-id={}", PeerIdentity.hex(localId), PeerIdentity.hex(from),
          PeerIdentity.hex(to));
      case senderRemoved -> log.warn("rejected stream from remote peer because it was removed: "
          + "local-member-id={} removed-remote-peer-id={}", PeerIdentity.hex(localId), PeerIdentity.hex(from));
      case senderNotFound -> log.warn("failed to find remote peer in cluster: local-member-id={} "
          + "remote-peer-id={} cluster-id={}", PeerIdentity.hex(localId), PeerIdentity.hex(from),
          PeerIdentity.hex(clusterId));
      default -> log.warn("refused peer stream without identity: local-member-id={} method={}",
          PeerIdentity.hex(localId), method);
    }
  }
}
