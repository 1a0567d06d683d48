package io.strata.lease;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The lease manager: grants, revokes and renews leases, tracks which keys are attached to each,
 * and, on the primary (the Raft leader's member), decides which leases have expired and which
 * remaining TTLs to checkpoint.
 *
 * <p>The lessor is a deterministic state machine. It never reads a clock, starts a thread or
 * does I/O: the caller passes the time in from a monotonic source it owns, and the lessor returns
 * decisions (leases to revoke, checkpoints to record) that the server proposes through Raft and
 * later applies on every member with {@link #revoke} and {@link #applyCheckpoint}. Operations
 * that come from applied Raft entries ({@code grant}, {@code revoke}, {@code attach},
 * {@code detach}, {@code applyCheckpoint}) change only replicated state, identically on every
 * member; {@code renew}, {@code promote}, {@code demote} and the expiry and checkpoint queries
 * change only the primary's own view of expiry.
 *
 * <p>All methods are synchronized on the lessor, so keep-alives arriving on request threads and
 * the apply loop may call it concurrently; each call is short: O(log n) per lease touched,
 * O(k log k) for a lease's k keys, O(n log n) only for promotion and snapshots.
 */
public final class Lessor {
    /** The largest TTL a lease may be granted, in seconds (etcd's {@code MaxLeaseTTL}). */
    public static final long MAX_LEASE_TTL_SECONDS = 9_000_000_000L;
    /** The id that means "no lease". */
    public static final long NO_LEASE = 0;

    private final LessorOptions options;
    private final Map<Long, LeaseEntry> leasesById = new HashMap<>();
    // Invariant: key -> id exactly when leasesById.get(id).keys contains key.
    private final Map<ByteKey, Long> leaseIdByKey = new HashMap<>();
    // Invariant: holds every lease while primary, nothing otherwise; due >= the lease's expiry.
    private final LeaseQueue expiryQueue = new LeaseQueue();
    // Invariant: empty unless primary; holds only live leases.
    private final LeaseQueue checkpointQueue = new LeaseQueue();
    // Leases renewed since a checkpoint set their remaining TTL: the checkpoint must be cleared
    // through Raft, or a later primary would start them from that stale remaining TTL.
    private final Set<Long> checkpointsToClear = new LinkedHashSet<>();
    private boolean primary;

    public Lessor(LessorOptions options) {
        this.options = options;
    }

    public synchronized LessorOptions options() {
        return options;
    }

    /**
     * Grants a lease (applied from Raft on every member). A TTL below the minimum is raised to
     * it. On the primary the lease starts expiring at once; elsewhere it waits for a promotion.
     *
     * @param id the lease id, chosen before proposing (never 0) so that every member grants the
     *     same one
     * @throws LeaseException {@code NOT_FOUND} for id 0, {@code TTL_TOO_LARGE}, {@code EXISTS}
     */
    public synchronized Lease grant(long id, long ttlSeconds, long nowMillis) {
        if (id == NO_LEASE) {
            throw new LeaseException(LeaseError.NOT_FOUND, id);
        }
        if (ttlSeconds > MAX_LEASE_TTL_SECONDS) {
            throw new LeaseException(LeaseError.TTL_TOO_LARGE, id);
        }
        if (leasesById.containsKey(id)) {
            throw new LeaseException(LeaseError.EXISTS, id);
        }
        LeaseEntry lease = new LeaseEntry(id, Math.max(ttlSeconds, options.minTtlSeconds()), 0);
        leasesById.put(id, lease);
        if (primary) {
            refresh(lease, nowMillis, 0);
            scheduleCheckpoint(lease, nowMillis);
        }
        return new Lease(id, lease.ttlSeconds);
    }

    /**
     * Revokes a lease (applied from Raft on every member) and reports its keys, which the server
     * deletes in the same revision.
     *
     * @throws LeaseException {@code NOT_FOUND}
     */
    public synchronized RevokedLease revoke(long id) {
        LeaseEntry lease = leasesById.remove(id);
        if (lease == null) {
            throw new LeaseException(LeaseError.NOT_FOUND, id);
        }
        expiryQueue.remove(id);
        checkpointQueue.remove(id);
        checkpointsToClear.remove(id);
        for (ByteKey key : lease.keys) {
            Long owner = leaseIdByKey.remove(key);
            Invariants.check(owner != null && owner == id, "key %s of lease %d was indexed to %s", key, id, owner);
        }
        return new RevokedLease(id, lease.sortedKeys());
    }

    /**
     * Renews a lease to its full TTL (a keep-alive). Only the primary renews; the server forwards
     * keep-alives that reach another member to the leader.
     *
     * @return the lease's TTL in seconds
     * @throws LeaseException {@code NOT_PRIMARY}, {@code NOT_FOUND}, or {@code EXPIRED} when the
     *     lease has expired and waits for its revoke
     */
    public synchronized long renew(long id, long nowMillis) {
        if (!primary) {
            throw new LeaseException(LeaseError.NOT_PRIMARY, id);
        }
        LeaseEntry lease = leasesById.get(id);
        if (lease == null) {
            throw new LeaseException(LeaseError.NOT_FOUND, id);
        }
        if (lease.expiredAt(nowMillis)) {
            throw new LeaseException(LeaseError.EXPIRED, id);
        }
        if (lease.remainingTtlSeconds > 0) {
            checkpointsToClear.add(id);
        }
        // A renewal starts from the full TTL even while a checkpoint is still set: the clear that
        // was just queued will reset the replicated remaining TTL to match.
        lease.expiryMillis = addSaturated(nowMillis, lease.ttlSeconds * 1000);
        expiryQueue.upsert(id, lease.expiryMillis);
        return lease.ttlSeconds;
    }

    /** The lease's TTLs and, if asked, its keys; empty when there is no such lease. */
    public synchronized Optional<LeaseStatus> timeToLive(long id, long nowMillis, boolean withKeys) {
        LeaseEntry lease = leasesById.get(id);
        if (lease == null) {
            return Optional.empty();
        }
        long remainingSeconds;
        if (primary) {
            // Whole seconds rounded down, as etcd reports them; an expired lease reports 0.
            remainingSeconds = Math.max(0, (lease.expiryMillis - nowMillis) / 1000);
        } else {
            remainingSeconds = lease.effectiveTtlSeconds();
        }
        List<ByteKey> keys = withKeys ? lease.sortedKeys() : List.of();
        return Optional.of(new LeaseStatus(id, lease.ttlSeconds, remainingSeconds, keys));
    }

    /** Every lease id, ascending. */
    public synchronized List<Long> leases() {
        List<Long> ids = new ArrayList<>(leasesById.keySet());
        ids.sort(null);
        return ids;
    }

    public synchronized boolean exists(long id) {
        return leasesById.containsKey(id);
    }

    public synchronized int size() {
        return leasesById.size();
    }

    /** The lease {@code key} is attached to, or {@link #NO_LEASE}. */
    public synchronized long leaseOf(ByteKey key) {
        return leaseIdByKey.getOrDefault(key, NO_LEASE);
    }

    /**
     * Attaches {@code key} to a lease (a Put with a lease is being applied). A key attached to
     * another lease moves to this one, since a key belongs to at most one lease.
     *
     * @throws LeaseException {@code NOT_FOUND}; the server checks the lease before applying the Put
     */
    public synchronized void attach(long id, ByteKey key) {
        LeaseEntry lease = leasesById.get(id);
        if (lease == null) {
            throw new LeaseException(LeaseError.NOT_FOUND, id);
        }
        Long previous = leaseIdByKey.put(key, id);
        if (previous != null && previous != id) {
            boolean removed = leasesById.get(previous).keys.remove(key);
            Invariants.check(removed, "key %s was indexed to lease %d without being attached", key, previous);
        }
        lease.keys.add(key);
    }

    /**
     * Detaches {@code key} from a lease (the key is deleted, or put without this lease). A key
     * that is not attached to this lease is left alone.
     *
     * @throws LeaseException {@code NOT_FOUND}
     */
    public synchronized void detach(long id, ByteKey key) {
        LeaseEntry lease = leasesById.get(id);
        if (lease == null) {
            throw new LeaseException(LeaseError.NOT_FOUND, id);
        }
        if (lease.keys.remove(key)) {
            leaseIdByKey.remove(key);
        }
    }

    /**
     * The leases that have expired by {@code nowMillis}, earliest first, at most
     * {@code min(max, maxExpiredPerCall)} of them; the server proposes a revoke for each. A lease
     * reported here is not reported again for {@code expiredRetryMillis}, so that revokes already
     * on their way through Raft are not proposed twice, while one lost in a leader change is
     * retried. Empty unless this lessor is the primary.
     */
    public synchronized List<Long> expiredLeases(long nowMillis, int max) {
        if (!primary) {
            return List.of();
        }
        int limit = Math.min(max, options.maxExpiredPerCall());
        List<Long> expired = new ArrayList<>();
        while (expired.size() < limit && expiryQueue.peekDueMillis() <= nowMillis) {
            long id = expiryQueue.peekId();
            LeaseEntry lease = leasesById.get(id);
            Invariants.check(lease != null, "expiry queue holds revoked lease %d", id);
            Invariants.check(lease.expiredAt(nowMillis), "lease %d due at %d before its expiry %d",
                    id, expiryQueue.peekDueMillis(), lease.expiryMillis);
            expired.add(id);
            expiryQueue.upsert(id, addSaturated(nowMillis, options.expiredRetryMillis()));
        }
        return expired;
    }

    /**
     * The checkpoints to propose now, at most {@code max}: first clears of checkpoints that
     * renewals made stale, then the remaining TTLs of long leases whose checkpoint interval has
     * passed. Empty unless this lessor is the primary.
     */
    public synchronized List<Checkpoint> checkpointsDue(long nowMillis, int max) {
        if (!primary) {
            return List.of();
        }
        List<Checkpoint> due = new ArrayList<>();
        var clears = checkpointsToClear.iterator();
        while (due.size() < max && clears.hasNext()) {
            long id = clears.next();
            clears.remove();
            LeaseEntry lease = leasesById.get(id);
            if (lease != null && lease.remainingTtlSeconds > 0) {
                due.add(new Checkpoint(id, 0));
            }
        }
        while (due.size() < max && checkpointQueue.peekDueMillis() <= nowMillis) {
            LeaseEntry lease = leasesById.get(checkpointQueue.poll());
            Invariants.check(lease != null, "checkpoint queue holds a revoked lease");
            if (lease.expiredAt(nowMillis)) {
                continue;
            }
            long remainingSeconds = Math.floorDiv(lease.expiryMillis - nowMillis + 999, 1000);
            // Queue the next one now rather than only when this one is applied, so a checkpoint
            // lost in a leader change or skipped below is not the lease's last.
            if (remainingSeconds * 1000 > options.checkpointIntervalMillis()) {
                checkpointQueue.upsert(lease.id, addSaturated(nowMillis, options.checkpointIntervalMillis()));
            }
            // A lease that has not yet used up a second of its TTL gains nothing from a checkpoint.
            if (remainingSeconds < lease.ttlSeconds) {
                due.add(new Checkpoint(lease.id, remainingSeconds));
            }
        }
        return due;
    }

    /**
     * Records a checkpointed remaining TTL (applied from Raft on every member). It does not move
     * the primary's expiry; it is what a future promotion starts the lease from. A checkpoint for
     * a lease that is gone is ignored, as the revoke may have been applied first.
     */
    public synchronized void applyCheckpoint(long id, long remainingTtlSeconds, long nowMillis) {
        LeaseEntry lease = leasesById.get(id);
        if (lease == null) {
            return;
        }
        lease.remainingTtlSeconds = Math.max(0, Math.min(remainingTtlSeconds, MAX_LEASE_TTL_SECONDS));
        if (primary) {
            scheduleCheckpoint(lease, nowMillis);
        }
    }

    /**
     * Makes this lessor the primary (its member became the leader). Every lease starts again from
     * its checkpointed remaining TTL (or its full TTL) plus {@code extendMillis}, normally the
     * election timeout, so that no lease expires because keep-alives could not reach a leader
     * during the election. If the leases would then fall due faster than they can be revoked,
     * some are pushed later (see {@link PromotionSpreader}).
     */
    public synchronized void promote(long nowMillis, long extendMillis) {
        if (extendMillis < 0) {
            throw new IllegalArgumentException("negative promotion extension " + extendMillis);
        }
        primary = true;
        List<LeaseEntry> all = entriesById();
        for (LeaseEntry lease : all) {
            refresh(lease, nowMillis, extendMillis);
            scheduleCheckpoint(lease, nowMillis);
        }
        if (all.size() >= options.maxRevokesPerSecond()) {
            all.sort(Comparator.comparingLong((LeaseEntry lease) -> lease.expiryMillis)
                    .thenComparingLong(lease -> lease.id));
            PromotionSpreader.spread(all, nowMillis, extendMillis, options.maxRevokesPerSecond(),
                    (lease, extend) -> refresh(lease, nowMillis, extend));
        }
    }

    /**
     * Stops being the primary (its member lost leadership): expiry and checkpoint tracking stop,
     * and from here on leases never expire in this lessor's view until it is promoted again.
     */
    public synchronized void demote() {
        primary = false;
        for (LeaseEntry lease : leasesById.values()) {
            lease.expiryMillis = LeaseEntry.FOREVER;
        }
        expiryQueue.clear();
        checkpointQueue.clear();
        checkpointsToClear.clear();
    }

    public synchronized boolean isPrimary() {
        return primary;
    }

    /** Writes the replicated state of every lease; see {@link LessorSnapshot} for the layout. */
    public synchronized void writeTo(DataOutput out) throws IOException {
        LessorSnapshot.write(entriesById(), out);
    }

    /**
     * Replaces this lessor's leases with those read from a snapshot (a member installs a
     * snapshot). Whether the lessor is the primary does not change; if it is, every restored
     * lease starts expiring from {@code nowMillis} with its checkpointed or full TTL.
     *
     * @throws IOException if the input is not a well-formed lease snapshot; the lessor is then
     *     unchanged
     */
    public synchronized void restore(DataInput in, long nowMillis) throws IOException {
        List<LeaseEntry> restored = LessorSnapshot.read(in, options.minTtlSeconds());
        leasesById.clear();
        leaseIdByKey.clear();
        expiryQueue.clear();
        checkpointQueue.clear();
        checkpointsToClear.clear();
        for (LeaseEntry lease : restored) {
            leasesById.put(lease.id, lease);
            for (ByteKey key : lease.keys) {
                leaseIdByKey.put(key, lease.id);
            }
            if (primary) {
                refresh(lease, nowMillis, 0);
                scheduleCheckpoint(lease, nowMillis);
            }
        }
    }

    /**
     * A lessor holding the leases of a snapshot written by {@link #writeTo}. It is not the
     * primary; promoting it starts every lease's expiry from the promotion time.
     */
    public static Lessor readFrom(DataInput in, LessorOptions options, long nowMillis) throws IOException {
        Lessor lessor = new Lessor(options);
        lessor.restore(in, nowMillis);
        return lessor;
    }

    /** Checks every invariant across the maps and queues; O(n), for tests. */
    synchronized void verifyInvariants() {
        expiryQueue.verify();
        checkpointQueue.verify();
        int attachedKeys = 0;
        for (LeaseEntry lease : leasesById.values()) {
            attachedKeys += lease.keys.size();
            for (ByteKey key : lease.keys) {
                Long owner = leaseIdByKey.get(key);
                Invariants.check(owner != null && owner == lease.id, "key %s of lease %d indexed to %s",
                        key, lease.id, owner);
            }
            if (primary) {
                Invariants.check(expiryQueue.dueMillisOf(lease.id) >= lease.expiryMillis,
                        "lease %d queued before its expiry", lease.id);
            } else {
                Invariants.check(lease.expiryMillis == LeaseEntry.FOREVER, "follower tracks expiry of %d", lease.id);
            }
        }
        Invariants.check(attachedKeys == leaseIdByKey.size(), "%d attached keys, %d indexed",
                attachedKeys, leaseIdByKey.size());
        Invariants.check(expiryQueue.size() == (primary ? leasesById.size() : 0),
                "expiry queue holds %d of %d leases (primary %s)", expiryQueue.size(), leasesById.size(), primary);
        Invariants.check(primary || (checkpointQueue.isEmpty() && checkpointsToClear.isEmpty()),
                "follower has checkpoints queued");
        Invariants.check(checkpointQueue.size() <= leasesById.size(), "checkpoint queue larger than the leases");
    }

    /** The primary's expiry of {@code id}, for tests; {@link Long#MAX_VALUE} when untracked. */
    synchronized long expiryMillisOf(long id) {
        LeaseEntry lease = leasesById.get(id);
        return lease == null ? LeaseEntry.FOREVER : lease.expiryMillis;
    }

    static long addSaturated(long a, long b) {
        long sum = a + b;
        // Overflow happened exactly when both operands have the sign the sum lacks.
        if (((a ^ sum) & (b ^ sum)) < 0) {
            return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return sum;
    }

    private void refresh(LeaseEntry lease, long nowMillis, long extendMillis) {
        long start = addSaturated(nowMillis, extendMillis);
        lease.expiryMillis = addSaturated(start, lease.effectiveTtlSeconds() * 1000);
        expiryQueue.upsert(lease.id, lease.expiryMillis);
    }

    private void scheduleCheckpoint(LeaseEntry lease, long nowMillis) {
        long intervalMillis = options.checkpointIntervalMillis();
        if (intervalMillis > 0 && lease.effectiveTtlSeconds() * 1000 > intervalMillis) {
            checkpointQueue.upsert(lease.id, addSaturated(nowMillis, intervalMillis));
        }
    }

    private List<LeaseEntry> entriesById() {
        List<LeaseEntry> all = new ArrayList<>(leasesById.values());
        all.sort(Comparator.comparingLong(lease -> lease.id));
        return all;
    }
}
