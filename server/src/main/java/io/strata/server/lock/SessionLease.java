package io.strata.server.lock;

import io.strata.api.etcdserverpb.LeaseGrantRequest;
import io.strata.api.etcdserverpb.LeaseGrantResponse;
import io.strata.api.serverpb.InternalRequest;
import java.util.concurrent.CompletableFuture;

/**
 * The lease a lock or campaign puts its key with. etcd opens a client session for each call:
 * given lease 0 the session grants a fresh lease of the session's default TTL and abandons it,
 * so the key outlives the call by up to that TTL. Clients rely on passing their own lease;
 * lease 0 is kept as etcd has it.
 */
final class SessionLease {
  static final long defaultTtlSeconds = 60;

  private SessionLease() {}

  static CompletableFuture<Long> resolve(MemberAccess member, long lease) {
    if (lease != 0) {
      return CompletableFuture.completedFuture(lease);
    }
    long id = 0;
    while (id == 0) {
      id = member.newLeaseId();
    }
    LeaseGrantRequest grant = LeaseGrantRequest.newBuilder().setID(id).setTTL(defaultTtlSeconds).build();
    return member.write(InternalRequest.newBuilder().setLeaseGrant(grant))
        .thenApply(r -> ((LeaseGrantResponse) r).getID());
  }
}
