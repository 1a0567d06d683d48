package io.strata.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Two members apply the same entries while leadership moves between them at random. Every
 * checkpoint the primary asks for is applied on both at once, as a committed Raft entry would
 * be. The property: after a leader change no lease expires earlier than it would have on the
 * old leader, and a checkpointed lease does not get back much more than what was left of it.
 */
class LessorLeaderChangeTest {
    private static final long INTERVAL_MILLIS = 10_000;
    private static final LessorOptions OPTIONS = new LessorOptions(2, 500, INTERVAL_MILLIS);

    @Test
    void noLeaseExpiresEarlyAcrossRandomLeaderChanges() {
        for (long seed = 1; seed <= 60; seed++) {
            runHistory(seed);
        }
    }

    private static void runHistory(long seed) {
        Random random = new Random(seed);
        Lessor[] members = {new Lessor(OPTIONS), new Lessor(OPTIONS)};
        int leader = 0;
        long now = 0;
        members[leader].promote(now, 0);
        // When each lease's remaining TTL was last checkpointed or renewed, from the leader's view.
        Map<Long, Long> lastRecordedMillis = new HashMap<>();
        long nextId = 1;
        for (int step = 0; step < 300; step++) {
            String context = "seed " + seed + " step " + step;
            Lessor primary = members[leader];
            int choice = random.nextInt(100);
            if (choice < 15) {
                long id = nextId++;
                long ttl = 5 + random.nextInt(56);
                for (Lessor member : members) {
                    member.grant(id, ttl, now);
                }
                lastRecordedMillis.put(id, now);
            } else if (choice < 40 && primary.size() > 0) {
                List<Long> ids = primary.leases();
                long id = ids.get(random.nextInt(ids.size()));
                try {
                    primary.renew(id, now);
                    lastRecordedMillis.put(id, now);
                } catch (LeaseException e) {
                    assertThat(e.error()).as(context).isEqualTo(LeaseError.EXPIRED);
                }
            } else if (choice < 80) {
                now += random.nextInt(3_000);
            } else if (choice < 93) {
                for (long id : primary.expiredLeases(now, 1_000)) {
                    for (Lessor member : members) {
                        member.revoke(id);
                    }
                    lastRecordedMillis.remove(id);
                }
            } else {
                int next = 1 - leader;
                long extendMillis = 1_000;
                Map<Long, Long> oldExpiry = new HashMap<>();
                for (long id : primary.leases()) {
                    oldExpiry.put(id, primary.expiryMillisOf(id));
                }
                primary.demote();
                members[next].promote(now, extendMillis);
                for (long id : members[next].leases()) {
                    long newExpiry = members[next].expiryMillisOf(id);
                    assertThat(newExpiry).as(context + " lease " + id).isGreaterThanOrEqualTo(oldExpiry.get(id));
                    // What is lost to the leader change is at most the time since the lease's TTL
                    // was last recorded, the extension and the rounding up to whole seconds.
                    long slackMillis = now - lastRecordedMillis.get(id) + extendMillis + 1_000;
                    assertThat(newExpiry).as(context + " lease " + id).isLessThanOrEqualTo(oldExpiry.get(id) + slackMillis);
                    lastRecordedMillis.put(id, now);
                }
                leader = next;
            }
            for (Checkpoint checkpoint : members[leader].checkpointsDue(now, 1_000)) {
                for (Lessor member : members) {
                    member.applyCheckpoint(checkpoint.id(), checkpoint.remainingTtlSeconds(), now);
                }
                if (checkpoint.remainingTtlSeconds() > 0) {
                    lastRecordedMillis.put(checkpoint.id(), now);
                }
            }
            for (Lessor member : members) {
                member.verifyInvariants();
            }
            assertThat(members[0].leases()).as(context).isEqualTo(members[1].leases());
        }
    }
}
