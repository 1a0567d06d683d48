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

  public static EtcdServerException leaderChanged() {
    return new EtcdServerException("UNAVAILABLE", "etcdserver: leader changed");
  }

  public static EtcdServerException stopped() {
    return new EtcdServerException("UNAVAILABLE", "etcdserver: server stopped");
  }

  public static EtcdServerException timedOut() {
    return new EtcdServerException("UNAVAILABLE", "etcdserver: request timed out");
  }

  public static EtcdServerException tooManyRequests() {
    return new EtcdServerException("RESOURCE_EXHAUSTED", "etcdserver: too many requests");
  }

  public static EtcdServerException requestTooLarge() {
    return new EtcdServerException("INVALID_ARGUMENT", "etcdserver: request is too large");
  }
}
