package io.strata.conformance.linearizability;

import java.util.ArrayList;
import java.util.List;

/**
 * The sequential specification of one key of etcd's store. {@link #step} answers which states
 * could follow when an operation takes effect in a given state and gives the output it gave:
 * none means the operation cannot take effect there; more than one happens only when an
 * operation's outcome is unknown and its effect depends on a revision nobody has seen yet.
 */
final class KvModel {
    private KvModel() {}

    static List<KeyState> step(KeyState state, Operation operation, RevisionOwners revisionOwners) {
        KvInput input = operation.input();
        KvOutput output = operation.output();
        if (input instanceof KvInput.Put put) {
            return put(state, put, (KvOutput.PutOk) output);
        }
        if (input instanceof KvInput.Get) {
            return get(state, (KvOutput.GetOk) output);
        }
        if (input instanceof KvInput.Delete) {
            return delete(state, (KvOutput.DeleteOk) output);
        }
        if (input instanceof KvInput.CompareAndSet cas) {
            return compareAndSet(state, cas, (KvOutput.CasOk) output, revisionOwners);
        }
        throw new IllegalArgumentException("no model for " + input);
    }

    private static List<KeyState> put(KeyState state, KvInput.Put put, KvOutput.PutOk output) {
        if (output == null) {
            return List.of(new KeyState(put.value(), KeyState.UNKNOWN_REVISION));
        }
        if (!state.canBeFollowedByRevision(output.headerRevision())) {
            return List.of();
        }
        return List.of(new KeyState(put.value(), output.headerRevision()));
    }

    private static List<KeyState> get(KeyState state, KvOutput.GetOk output) {
        if (output == null) {
            return List.of(state);
        }
        if (!state.matchesRead(output.value(), output.modRevision())) {
            return List.of();
        }
        // A read of a key whose revision was unknown reveals it, which later reads must agree with.
        return List.of(output.value() == null ? state : new KeyState(output.value(), output.modRevision()));
    }

    private static List<KeyState> delete(KeyState state, KvOutput.DeleteOk output) {
        if (output == null) {
            return List.of(KeyState.ABSENT);
        }
        if (state.isAbsent()) {
            return output.deleted() == 0 ? List.of(state) : List.of();
        }
        if (output.deleted() != 1 || !state.canBeFollowedByRevision(output.headerRevision())) {
            return List.of();
        }
        return List.of(KeyState.ABSENT);
    }

    private static List<KeyState> compareAndSet(KeyState state, KvInput.CompareAndSet cas, KvOutput.CasOk output,
            RevisionOwners revisionOwners) {
        boolean mayMatch;
        boolean mayDiffer;
        if (state.revisionKnown()) {
            mayMatch = state.modRevision() == cas.expectedModRevision();
            mayDiffer = !mayMatch;
        } else {
            // A present key's unseen revision is some number above 0 that no other write got.
            mayMatch = cas.expectedModRevision() > 0
                    && revisionOwners.mayBelongTo(cas.expectedModRevision(), cas.key(), state.value());
            mayDiffer = true;
        }
        List<KeyState> next = new ArrayList<>(2);
        if (output == null) {
            if (mayMatch) {
                next.add(new KeyState(cas.value(), KeyState.UNKNOWN_REVISION));
            }
            if (mayDiffer) {
                next.add(state);
            }
            return next;
        }
        if (output.succeeded()) {
            if (mayMatch && state.canBeFollowedByRevision(output.headerRevision())) {
                next.add(new KeyState(cas.value(), output.headerRevision()));
            }
            return next;
        }
        if (mayDiffer && output.modRevision() != cas.expectedModRevision()
                && state.matchesRead(output.value(), output.modRevision())) {
            next.add(output.value() == null ? state : new KeyState(output.value(), output.modRevision()));
        }
        return next;
    }
}
