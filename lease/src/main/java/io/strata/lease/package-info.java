/**
 * The lease manager.
 *
 * <p>{@link io.strata.lease.Lessor} holds every lease and the keys attached to it. It is pure:
 * the server passes the time in and proposes the lessor's decisions through Raft.
 * <ul>
 *   <li>Applied on every member, in log order: {@code grant}, {@code revoke} (which reports the
 *       keys to delete in the same revision), {@code attach}/{@code detach} (from Puts and
 *       deletes) and {@code applyCheckpoint}.</li>
 *   <li>Primary only, where the member is the Raft leader: {@code renew} (keep-alives),
 *       {@code expiredLeases} (revokes to propose) and {@code checkpointsDue} (checkpoints to
 *       propose). The server calls {@code promote} when its member becomes leader and
 *       {@code demote} when it stops being one.</li>
 *   <li>Snapshots: {@code writeTo} and {@code readFrom}/{@code restore}.</li>
 * </ul>
 * Failures a client can cause are {@link io.strata.lease.LeaseException}s whose
 * {@link io.strata.lease.LeaseError} carries etcd's status message and code.
 */
package io.strata.lease;
