package io.strata.mvcc;

/**
 * The errors of the key-value API, each with etcd's exact message and the name of the gRPC
 * status code etcd returns it with ({@code io.grpc.Status.Code.valueOf(grpcCode())}). Clients
 * match on these strings, so they must never change.
 */
public enum KvError {
  COMPACTED("etcdserver: mvcc: required revision has been compacted", "OUT_OF_RANGE"),
  FUTURE_REVISION("etcdserver: mvcc: required revision is a future revision", "OUT_OF_RANGE"),
  LEASE_NOT_FOUND("etcdserver: requested lease not found", "NOT_FOUND"),
  KEY_NOT_FOUND("etcdserver: key not found", "INVALID_ARGUMENT"),
  KEY_NOT_PROVIDED("etcdserver: key is not provided", "INVALID_ARGUMENT"),
  VALUE_PROVIDED("etcdserver: value is provided", "INVALID_ARGUMENT"),
  LEASE_PROVIDED("etcdserver: lease is provided", "INVALID_ARGUMENT"),
  TOO_MANY_TXN_OPS("etcdserver: too many operations in txn request", "INVALID_ARGUMENT"),
  DUPLICATE_KEY("etcdserver: duplicate key given in txn request", "INVALID_ARGUMENT"),
  INVALID_SORT_OPTION("etcdserver: invalid sort option", "INVALID_ARGUMENT");

  private final String message;
  private final String grpcCode;

  KvError(String message, String grpcCode) {
    this.message = message;
    this.grpcCode = grpcCode;
  }

  public String message() {
    return message;
  }

  public String grpcCode() {
    return grpcCode;
  }
}
