package io.strata.lease;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class LeaseQueueTest {
    private record Due(long dueMillis, long id) implements Comparable<Due> {
        @Override
        public int compareTo(Due other) {
            int byTime = Long.compare(dueMillis, other.dueMillis);
            return byTime != 0 ? byTime : Long.compare(id, other.id);
        }
    }

    @Test
    void queueAgreesWithASortedSetOnRandomOperations() {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            LeaseQueue queue = new LeaseQueue();
            TreeSet<Due> model = new TreeSet<>();
            Map<Long, Long> dueById = new HashMap<>();
            for (int step = 0; step < 3_000; step++) {
                long id = random.nextInt(200);
                int choice = random.nextInt(10);
                if (choice < 5) {
                    long due = random.nextInt(1_000);
                    Long old = dueById.put(id, due);
                    if (old != null) {
                        model.remove(new Due(old, id));
                    }
                    model.add(new Due(due, id));
                    queue.upsert(id, due);
                } else if (choice < 8) {
                    Long old = dueById.remove(id);
                    assertThat(queue.remove(id)).isEqualTo(old != null);
                    if (old != null) {
                        model.remove(new Due(old, id));
                    }
                } else if (!model.isEmpty()) {
                    Due first = model.pollFirst();
                    dueById.remove(first.id());
                    assertThat(queue.peekDueMillis()).isEqualTo(first.dueMillis());
                    assertThat(queue.poll()).isEqualTo(first.id());
                }
                assertThat(queue.size()).isEqualTo(model.size());
                assertThat(queue.contains(id)).isEqualTo(dueById.containsKey(id));
                if (step % 100 == 0) {
                    queue.verify();
                }
            }
            queue.clear();
            assertThat(queue.isEmpty()).isTrue();
            assertThat(queue.peekDueMillis()).isEqualTo(Long.MAX_VALUE);
        }
    }
}
