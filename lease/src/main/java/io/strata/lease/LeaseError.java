package io.strata.lease;

/**
 * The expected ways a lease operation fails, each with the message and gRPC status code that
 * etcd 3.5 answers with, so that clients that match on the text recognise them.
 */
public enum LeaseError {
    NOT_FOUND("etcdserver: requested lease not found", "NOT_FOUND"),
    EXISTS("etcdserver: lease already exists", "FAILED_PRECONDITION"),
    TTL_TOO_LARGE("etcdserver: too large lease TTL", "OUT_OF_RANGE"),
    /**
     * A renewal reached a member whose lessor is not the primary. The server forwards renewals to
     * the leader, so a client only sees this when forwarding keeps failing until the request
     * times out, and etcd answers that case with its request-timeout error, which clients retry.
     */
    NOT_PRIMARY("etcdserver: request timed out", "UNAVAILABLE"),
    /**
     * A renewal of a lease that has already expired and waits for its revoke to be applied. etcd
     * holds such a renewal until the revoke lands and then reports the lease as not found (a
     * keep-alive answers TTL 0); the server may wait for the revoke or answer at once.
     */
    EXPIRED("etcdserver: requested lease not found", "NOT_FOUND");

    private final String message;
    private final String grpcCode;

    LeaseError(String message, String grpcCode) {
        this.message = message;
        this.grpcCode = grpcCode;
    }

    /** The status message etcd sends for this error. */
    public String message() {
        return message;
    }

    /** The name of the gRPC status code etcd sends for this error, as in {@code io.grpc.Status.Code}. */
    public String grpcCode() {
        return grpcCode;
    }
}
