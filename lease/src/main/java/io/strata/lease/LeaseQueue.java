package io.strata.lease;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Lease ids ordered by a due time: a binary min-heap with at most one slot per lease, indexed by
 * id so that moving a lease's due time (a renewal) or removing it (a revoke) costs O(log n)
 * rather than a scan. The lessor keeps one queue for expiries and one for checkpoints.
 *
 * <p>Ties on the due time are broken by the lease id, so the order never depends on the order
 * of earlier operations.
 */
final class LeaseQueue {
    private static final class Slot {
        final long id;
        long dueMillis;
        // Invariant: heap[index] == this while the slot is queued.
        int index;

        Slot(long id, long dueMillis) {
            this.id = id;
            this.dueMillis = dueMillis;
        }
    }

    private final Map<Long, Slot> slotsById = new HashMap<>();
    private Slot[] heap = new Slot[16];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    boolean contains(long id) {
        return slotsById.containsKey(id);
    }

    /** The due time of {@code id}, or {@link Long#MAX_VALUE} when it is not queued. */
    long dueMillisOf(long id) {
        Slot slot = slotsById.get(id);
        return slot == null ? Long.MAX_VALUE : slot.dueMillis;
    }

    /** Queues {@code id} at {@code dueMillis}, or moves it there if it is already queued. */
    void upsert(long id, long dueMillis) {
        Slot slot = slotsById.get(id);
        if (slot == null) {
            slot = new Slot(id, dueMillis);
            slotsById.put(id, slot);
            if (size == heap.length) {
                heap = Arrays.copyOf(heap, size * 2);
            }
            slot.index = size;
            heap[size++] = slot;
            siftUp(slot.index);
            return;
        }
        long previous = slot.dueMillis;
        slot.dueMillis = dueMillis;
        if (dueMillis < previous) {
            siftUp(slot.index);
        } else if (dueMillis > previous) {
            siftDown(slot.index);
        }
    }

    /** Removes {@code id}; returns whether it was queued. */
    boolean remove(long id) {
        Slot slot = slotsById.remove(id);
        if (slot == null) {
            return false;
        }
        int index = slot.index;
        Slot last = heap[--size];
        heap[size] = null;
        if (index != size) {
            heap[index] = last;
            last.index = index;
            siftDown(index);
            siftUp(last.index);
        }
        slot.index = -1;
        return true;
    }

    /** The id due first; the queue must not be empty. */
    long peekId() {
        Invariants.check(size > 0, "peek of an empty lease queue");
        return heap[0].id;
    }

    /** The earliest due time, or {@link Long#MAX_VALUE} when the queue is empty. */
    long peekDueMillis() {
        return size == 0 ? Long.MAX_VALUE : heap[0].dueMillis;
    }

    /** Removes and returns the id due first; the queue must not be empty. */
    long poll() {
        long id = peekId();
        remove(id);
        return id;
    }

    void clear() {
        Arrays.fill(heap, 0, size, null);
        size = 0;
        slotsById.clear();
    }

    /** Checks the heap order and the index; O(n), for tests and costly-check mode. */
    void verify() {
        Invariants.check(slotsById.size() == size, "queue index has %d ids, heap %d", slotsById.size(), size);
        for (int i = 0; i < size; i++) {
            Slot slot = heap[i];
            Invariants.check(slot.index == i, "slot of lease %d at %d says %d", slot.id, i, slot.index);
            Invariants.check(slotsById.get(slot.id) == slot, "lease %d is not indexed", slot.id);
            if (i > 0) {
                Invariants.check(!before(slot, heap[(i - 1) / 2]), "heap order broken at %d", i);
            }
        }
    }

    private static boolean before(Slot a, Slot b) {
        return a.dueMillis < b.dueMillis || (a.dueMillis == b.dueMillis && a.id < b.id);
    }

    private void siftUp(int index) {
        Slot slot = heap[index];
        while (index > 0) {
            int parent = (index - 1) / 2;
            if (!before(slot, heap[parent])) {
                break;
            }
            place(heap[parent], index);
            index = parent;
        }
        place(slot, index);
    }

    private void siftDown(int index) {
        Slot slot = heap[index];
        while (true) {
            int child = 2 * index + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && before(heap[child + 1], heap[child])) {
                child++;
            }
            if (!before(heap[child], slot)) {
                break;
            }
            place(heap[child], index);
            index = child;
        }
        place(slot, index);
    }

    private void place(Slot slot, int index) {
        heap[index] = slot;
        slot.index = index;
    }
}
