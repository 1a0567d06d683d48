package io.strata.conformance.linearizability;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Decides whether the operations on one key can be put in one order that respects real time
 * (an operation that returned before another was invoked comes first) and that the model
 * accepts. The search walks the calls and returns in time order and tries to take each pending
 * operation into the order; reaching the return of an operation not yet taken means an earlier
 * choice was wrong, so it undoes the latest one and tries the next. Remembering every pair
 * (operations taken, model state) already explored keeps it from exploring a pair twice, which
 * is what makes thousands of operations per key tractable. Operations of unknown outcome
 * return after everything, so they may take effect anywhere after their invocation, and
 * taking one effect at the very end is the same as it never having happened. The direct checks
 * run first ({@link ObservedValueCheck}, {@link StaleReadCheck}), because proving an anomaly
 * this way means trying every order, which unknown operations make slow.
 */
final class KeyHistorySearch {
    /** How many operations around the stuck one a failure report lists. */
    static final int REPORT_CONTEXT_OPERATIONS = 12;

    record Outcome(boolean linearizable, boolean inconclusive, String explanation) {}

    private static final class Event {
        final int operation;
        final boolean isCall;
        final long timeNanos;
        Event match;
        Event previous;
        Event next;

        Event(int operation, boolean isCall, long timeNanos) {
            this.operation = operation;
            this.isCall = isCall;
            this.timeNanos = timeNanos;
        }
    }

    private record Frame(Event call, KeyState before, int choice) {}

    private record Explored(BitSet taken, KeyState state) {}

    private final String key;
    private final List<Operation> operations;
    private final RevisionOwners revisionOwners;
    private final long maxExploredStates;
    private final Event head = new Event(-1, false, Long.MIN_VALUE);
    private final Event tail = new Event(-1, false, Long.MAX_VALUE);
    private String deepestFailure = "";
    private int deepestFailureDepth = -1;

    private KeyHistorySearch(String key, List<Operation> operations, RevisionOwners revisionOwners,
            long maxExploredStates) {
        this.revisionOwners = revisionOwners;
        this.key = key;
        this.operations = List.copyOf(operations);
        this.maxExploredStates = maxExploredStates;
    }

    static Outcome search(String key, List<Operation> operations, RevisionOwners revisionOwners,
            long maxExploredStates) {
        return new KeyHistorySearch(key, operations, revisionOwners, maxExploredStates).run();
    }

    private Outcome run() {
        buildEventList();
        KeyState state = KeyState.ABSENT;
        BitSet taken = new BitSet(operations.size());
        Set<Explored> explored = new HashSet<>();
        Deque<Frame> takenOrder = new ArrayDeque<>();
        Event event = head.next;
        int firstChoice = 0;
        while (head.next != tail) {
            if (event == tail) {
                throw new IllegalStateException("walked past every return without deciding, key " + key);
            }
            if (event.isCall) {
                List<KeyState> choices = KvModel.step(state, operations.get(event.operation), revisionOwners);
                boolean tookIt = false;
                for (int choice = firstChoice; choice < choices.size() && !tookIt; choice++) {
                    KeyState next = choices.get(choice);
                    taken.set(event.operation);
                    if (explored.add(new Explored((BitSet) taken.clone(), next))) {
                        takenOrder.push(new Frame(event, state, choice));
                        state = next;
                        lift(event);
                        tookIt = true;
                    } else {
                        taken.clear(event.operation);
                    }
                }
                firstChoice = 0;
                event = tookIt ? head.next : event.next;
                if (explored.size() > maxExploredStates) {
                    return new Outcome(false, true, "key " + key + ": gave up after exploring " + explored.size()
                            + " states of " + operations.size() + " operations; the deepest dead end was:\n"
                            + deepestFailure);
                }
            } else {
                // This operation had to take effect by its return, and no order so far allows it.
                if (takenOrder.size() > deepestFailureDepth) {
                    deepestFailureDepth = takenOrder.size();
                    deepestFailure = describeStuck(event.operation, state, takenOrder);
                }
                if (takenOrder.isEmpty()) {
                    return new Outcome(false, false, deepestFailure);
                }
                Frame undone = takenOrder.pop();
                state = undone.before();
                taken.clear(undone.call().operation);
                unlift(undone.call());
                event = undone.call();
                firstChoice = undone.choice() + 1;
            }
        }
        return new Outcome(true, false, "");
    }

    private void buildEventList() {
        List<Event> events = new ArrayList<>(2 * operations.size());
        for (int i = 0; i < operations.size(); i++) {
            Operation operation = operations.get(i);
            Event call = new Event(i, true, operation.invokeNanos());
            Event ret = new Event(i, false, operation.returnNanos());
            call.match = ret;
            events.add(call);
            events.add(ret);
        }
        // At equal times calls go first: the two operations then count as overlapping, which
        // never makes a correct history look wrong.
        events.sort(Comparator.comparingLong((Event e) -> e.timeNanos).thenComparing(e -> !e.isCall));
        Event previous = head;
        for (Event event : events) {
            previous.next = event;
            event.previous = previous;
            previous = event;
        }
        previous.next = tail;
        tail.previous = previous;
    }

    private static void lift(Event call) {
        call.previous.next = call.next;
        call.next.previous = call.previous;
        Event ret = call.match;
        ret.previous.next = ret.next;
        ret.next.previous = ret.previous;
    }

    private static void unlift(Event call) {
        Event ret = call.match;
        ret.previous.next = ret;
        ret.next.previous = ret;
        call.previous.next = call;
        call.next.previous = call;
    }

    /**
     * Explains the deepest point the search reached: the operation that had to take effect by
     * its return but could not, the state it faced, the operations taken just before, and the
     * operations running at the same time.
     */
    private String describeStuck(int stuck, KeyState state, Deque<Frame> takenOrder) {
        Operation operation = operations.get(stuck);
        StringBuilder text = new StringBuilder();
        text.append("key ").append(key).append(": not linearizable. After ").append(takenOrder.size())
                .append(" operations the key is ").append(state).append(" and this one cannot take effect:\n  ")
                .append(operation).append("\nlast operations taken, latest first:\n");
        int listed = 0;
        for (Frame frame : takenOrder) {
            if (listed++ == REPORT_CONTEXT_OPERATIONS) {
                break;
            }
            text.append("  ").append(operations.get(frame.call().operation)).append('\n');
        }
        text.append("operations overlapping it:\n");
        listed = 0;
        for (int i = 0; i < operations.size() && listed < REPORT_CONTEXT_OPERATIONS; i++) {
            Operation other = operations.get(i);
            if (i != stuck && other.invokeNanos() <= operation.returnNanos()
                    && other.returnNanos() >= operation.invokeNanos()) {
                text.append("  ").append(other).append('\n');
                listed++;
            }
        }
        return text.toString();
    }
}
