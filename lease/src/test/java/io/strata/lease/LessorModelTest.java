package io.strata.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Random sequences of grants, renewals, revokes, attachments, leader changes and time steps,
 * run against the lessor and against a plain model of what etcd's leases do; after every step
 * the two must agree on which leases exist, which have expired (and in what order), what
 * TimeToLive reports and which keys a revoke deletes.
 */
class LessorModelTest {
    private static final long MIN_TTL_SECONDS = 3;
    private static final long FOREVER = Long.MAX_VALUE;

    private static final class ModelLease {
        final long ttlSeconds;
        long expiryMillis;

        ModelLease(long ttlSeconds, long expiryMillis) {
            this.ttlSeconds = ttlSeconds;
            this.expiryMillis = expiryMillis;
        }
    }

    private final TreeMap<Long, ModelLease> model = new TreeMap<>();
    private final Map<String, Long> modelKeys = new HashMap<>();
    private boolean modelPrimary;
    private long now;

    @Test
    void lessorAgreesWithTheModelOnRandomHistories() {
        for (long seed = 1; seed <= 150; seed++) {
            runHistory(seed, 400);
        }
    }

    private void runHistory(long seed, int steps) {
        Random random = new Random(seed);
        int maxExpiredPerCall = 1 + random.nextInt(6);
        Lessor lessor = new Lessor(new LessorOptions(MIN_TTL_SECONDS, maxExpiredPerCall, 0));
        model.clear();
        modelKeys.clear();
        now = random.nextInt(1_000_000);
        modelPrimary = random.nextBoolean();
        if (modelPrimary) {
            lessor.promote(now, 0);
        }
        for (int step = 0; step < steps; step++) {
            String context = "seed " + seed + " step " + step;
            int choice = random.nextInt(100);
            long id = 1 + random.nextInt(12);
            if (choice < 20) {
                grant(lessor, id, ttlFrom(random), context);
            } else if (choice < 40) {
                renew(lessor, id, context);
            } else if (choice < 48) {
                revoke(lessor, id, context);
            } else if (choice < 58) {
                attachOrDetach(lessor, random, id, context);
            } else if (choice < 78) {
                // Whole half-seconds often land exactly on an expiry, where off-by-one errors hide.
                now += random.nextBoolean() ? 500L * random.nextInt(9) : random.nextInt(4_000);
            } else if (choice < 90) {
                expire(lessor, context);
            } else if (choice < 95) {
                timeToLive(lessor, id, context);
            } else {
                changeLeader(lessor, random);
            }
            lessor.verifyInvariants();
            assertThat(lessor.leases()).as(context).containsExactlyElementsOf(model.keySet());
        }
    }

    private static long ttlFrom(Random random) {
        int pick = random.nextInt(20);
        if (pick == 0) {
            return Lessor.MAX_LEASE_TTL_SECONDS + 1 + random.nextInt(10);
        }
        return -1 + random.nextInt(15);
    }

    private void grant(Lessor lessor, long id, long ttlSeconds, String context) {
        LeaseError expected = null;
        if (ttlSeconds > Lessor.MAX_LEASE_TTL_SECONDS) {
            expected = LeaseError.TTL_TOO_LARGE;
        } else if (model.containsKey(id)) {
            expected = LeaseError.EXISTS;
        }
        LeaseError actual = null;
        try {
            Lease lease = lessor.grant(id, ttlSeconds, now);
            assertThat(lease.ttlSeconds()).as(context).isEqualTo(Math.max(ttlSeconds, MIN_TTL_SECONDS));
        } catch (LeaseException e) {
            actual = e.error();
        }
        assertThat(actual).as(context + " grant").isEqualTo(expected);
        if (expected == null) {
            long ttl = Math.max(ttlSeconds, MIN_TTL_SECONDS);
            model.put(id, new ModelLease(ttl, modelPrimary ? now + ttl * 1000 : FOREVER));
        }
    }

    private void renew(Lessor lessor, long id, String context) {
        ModelLease lease = model.get(id);
        LeaseError expected = null;
        if (!modelPrimary) {
            expected = LeaseError.NOT_PRIMARY;
        } else if (lease == null) {
            expected = LeaseError.NOT_FOUND;
        } else if (now >= lease.expiryMillis) {
            expected = LeaseError.EXPIRED;
        }
        LeaseError actual = null;
        try {
            assertThat(lessor.renew(id, now)).as(context).isEqualTo(lease.ttlSeconds);
        } catch (LeaseException e) {
            actual = e.error();
        }
        assertThat(actual).as(context + " renew").isEqualTo(expected);
        if (expected == null) {
            lease.expiryMillis = now + lease.ttlSeconds * 1000;
        }
    }

    private void revoke(Lessor lessor, long id, String context) {
        if (!model.containsKey(id)) {
            try {
                lessor.revoke(id);
                throw new AssertionError(context + ": revoke of a missing lease succeeded");
            } catch (LeaseException e) {
                assertThat(e.error()).as(context).isEqualTo(LeaseError.NOT_FOUND);
            }
            return;
        }
        List<ByteKey> expectedKeys = new ArrayList<>();
        modelKeys.forEach((key, owner) -> {
            if (owner == id) {
                expectedKeys.add(ByteKey.utf8(key));
            }
        });
        expectedKeys.sort(null);
        assertThat(lessor.revoke(id).keys()).as(context + " revoke keys").isEqualTo(expectedKeys);
        model.remove(id);
        modelKeys.values().removeIf(owner -> owner == id);
    }

    private void attachOrDetach(Lessor lessor, Random random, long id, String context) {
        String key = "k" + random.nextInt(20);
        boolean attach = random.nextBoolean();
        boolean exists = model.containsKey(id);
        try {
            if (attach) {
                lessor.attach(id, ByteKey.utf8(key));
            } else {
                lessor.detach(id, ByteKey.utf8(key));
            }
            assertThat(exists).as(context + " attach/detach on a missing lease succeeded").isTrue();
        } catch (LeaseException e) {
            assertThat(exists).as(context).isFalse();
            assertThat(e.error()).isEqualTo(LeaseError.NOT_FOUND);
            return;
        }
        if (attach) {
            modelKeys.put(key, id);
        } else {
            modelKeys.remove(key, id);
        }
        assertThat(lessor.leaseOf(ByteKey.utf8(key))).as(context).isEqualTo(modelKeys.getOrDefault(key, 0L));
    }

    private void expire(Lessor lessor, String context) {
        List<Long> expected = new ArrayList<>();
        if (modelPrimary) {
            model.entrySet().stream()
                    .filter(entry -> entry.getValue().expiryMillis <= now)
                    .sorted(Comparator.comparingLong((Map.Entry<Long, ModelLease> e) -> e.getValue().expiryMillis)
                            .thenComparingLong(Map.Entry::getKey))
                    .forEach(entry -> expected.add(entry.getKey()));
        }
        List<Long> reported = new ArrayList<>();
        while (true) {
            List<Long> batch = lessor.expiredLeases(now, Integer.MAX_VALUE);
            assertThat(batch.size()).as(context).isLessThanOrEqualTo(lessor.options().maxExpiredPerCall());
            if (batch.isEmpty()) {
                break;
            }
            reported.addAll(batch);
        }
        assertThat(reported).as(context + " expired").isEqualTo(expected);
        // The server proposes a revoke for each, and every member applies it.
        for (long id : reported) {
            revoke(lessor, id, context);
        }
    }

    private void timeToLive(Lessor lessor, long id, String context) {
        ModelLease lease = model.get(id);
        var status = lessor.timeToLive(id, now, false);
        if (lease == null) {
            assertThat(status).as(context).isEmpty();
            return;
        }
        long expected = modelPrimary ? Math.max(0, (lease.expiryMillis - now) / 1000) : lease.ttlSeconds;
        assertThat(status.orElseThrow().remainingTtlSeconds()).as(context + " ttl").isEqualTo(expected);
        assertThat(status.orElseThrow().grantedTtlSeconds()).isEqualTo(lease.ttlSeconds);
    }

    private void changeLeader(Lessor lessor, Random random) {
        if (modelPrimary) {
            lessor.demote();
            modelPrimary = false;
            model.values().forEach(lease -> lease.expiryMillis = FOREVER);
        } else {
            long extendMillis = random.nextInt(2_000);
            lessor.promote(now, extendMillis);
            modelPrimary = true;
            model.values().forEach(lease -> lease.expiryMillis = now + extendMillis + lease.ttlSeconds * 1000);
        }
    }
}
