package io.strata.lease;

/** An expected failure of a lease operation; {@link #error()} says which one. */
public final class LeaseException extends RuntimeException {
    private final LeaseError error;
    private final long leaseId;

    LeaseException(LeaseError error, long leaseId) {
        super(error.message() + " (lease " + leaseId + ")", null, false, false);
        this.error = error;
        this.leaseId = leaseId;
    }

    public LeaseError error() {
        return error;
    }

    public long leaseId() {
        return leaseId;
    }
}
