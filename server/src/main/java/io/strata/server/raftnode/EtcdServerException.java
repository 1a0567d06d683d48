package io.strata.server.raftnode;

/**
 * The server-side failures etcd reports with fixed texts, kept with their gRPC code name so
 * that one place can turn them into statuses. Clients match these texts to typed errors.
 */
public final class EtcdServerException extends RuntimeException {
  private final String grpcCode;

  private EtcdServerException(String grpcCode, String message) {
    super(message, null, false, false);
    this.grpcCode = grpcCode;
  }

  public String grpcCode() {
    return grpcCode;
  }

  public static EtcdServerException noLeader() {
    return new EtcdServerException("UNAVAILABLE", "etcdserver: no leader");
  }

  public static EtcdServerException notLeader() {
    return new EtcdServerException("UNAVAILABLE", "etcdserver: not leader");
  }

  /** etcd's gRPC form of "not leader" (MoveLeader on a follower) is FailedPrecondition. */
  public static EtcdServerException notLeaderForRequest() {
    return new EtcdServerException("FAILED_PRECONDITION", "etcdserver: not leader");
  }

  public static EtcdServerException memberExists() {
    return new EtcdServerException("FAILED_PRECONDITION", "etcdserver: member ID already exist");
  }

  public static EtcdServerException peerUrlExists() {
    return new EtcdServerException("FAILED_PRECONDITION", "etcdserver: Peer URLs already exists");
  }

  public static EtcdServerException notEnoughStartedMembers() {
    return new EtcdServerException("FAILED_PRECONDITION",
        "etcdserver: re-configuration failed due to not enough started members");
  }

  public static EtcdServerException memberBadUrls() {
    return new EtcdServerException("INVALID_ARGUMENT", "etcdserver: given member URLs are invalid");
  }

  public static EtcdServerException memberNotFound() {
    return new EtcdServerException("NOT_FOUND", "etcdserver: member not found");
  }

  public static EtcdServerException memberNotLearner() {
    return new EtcdServerException("FAILED_PRECONDITION", "etcdserver: can only promote a learner member");
  }

  public static EtcdServerException learnerNotReady() {
    return new EtcdServerException("FAILED_PRECONDITION",
        "etcdserver: can only promote a learner member which is in sync with leader");
  }

  public static EtcdServerException tooManyLearners() {
    return new EtcdServerException("FAILED_PRECONDITION", "etcdserver: too many learner members in cluster");
  }

  public static EtcdServerException unhealthy() {
    return new EtcdServerException("UNAVAILABLE", "etcdserver: unhealthy cluster");
  }

  public static EtcdServerException badLeaderTransferee() {
    return new EtcdServerException("FAILED_PRECONDITION", "etcdserver: bad leader transferee");
  }

  /** etcd's ErrTimeoutLeaderTransfer has no gRPC mapping, so clients see it as Unknown. */
  public static EtcdServerException leaderTransferTimeout() {
    return new EtcdServerException("UNKNOWN", "etcdserver: request timed out, leader transfer took too long");
  }

  public static EtcdServerException leaderChanged() {
    return new EtcdServerException("UNAVAILABLE", "etcdserver: leader changed");
  }

  public static EtcdServerException stopped() {
    return new EtcdServerException("UNAVAILABLE", "etcdserver: server stopped");
  }

  public static EtcdServerException timedOut() {
    return new EtcdServerException("UNAVAILABLE", "etcdserver: request timed out");
  }

  public static EtcdServerException timedOutDueToLeaderFail() {
    return new EtcdServerException("UNAVAILABLE", "etcdserver: request timed out, possibly due to previous leader failure");
  }

  public static EtcdServerException tooManyRequests() {
    return new EtcdServerException("RESOURCE_EXHAUSTED", "etcdserver: too many requests");
  }

  public static EtcdServerException requestTooLarge() {
    return new EtcdServerException("INVALID_ARGUMENT", "etcdserver: request is too large");
  }
}
