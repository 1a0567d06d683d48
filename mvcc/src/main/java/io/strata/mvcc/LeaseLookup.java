package io.strata.mvcc;

/** What the store needs to know about leases: whether a put may attach a key to one. */
@FunctionalInterface
public interface LeaseLookup {
  boolean exists(long leaseId);
}
