package io.strata.conformance.linearizability;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which key and value each revision seen in a history belongs to. etcd gives every write a
 * revision of its own, so a revision that an acknowledged write got, or that a read showed as
 * some value's mod revision, cannot also be the unseen revision of another write. That lets the
 * model refuse a compare-and-set that matched such a revision against a value written by a
 * request of unknown outcome.
 */
final class RevisionOwners {
    private record Owner(String key, String value) {}

    private final Map<Long, Owner> owners;

    private RevisionOwners(Map<Long, Owner> owners) {
        this.owners = owners;
    }

    static RevisionOwners of(List<Operation> history) {
        Map<Long, Owner> owners = new HashMap<>();
        for (Operation op : history) {
            String key = op.input().key();
            KvOutput output = op.output();
            if (output instanceof KvOutput.PutOk put) {
                owners.put(put.headerRevision(), new Owner(key, ((KvInput.Put) op.input()).value()));
            } else if (output instanceof KvOutput.CasOk cas && cas.succeeded()) {
                owners.put(cas.headerRevision(), new Owner(key, ((KvInput.CompareAndSet) op.input()).value()));
            } else if (output instanceof KvOutput.CasOk cas && cas.value() != null) {
                owners.put(cas.modRevision(), new Owner(key, cas.value()));
            } else if (output instanceof KvOutput.GetOk get && get.value() != null) {
                owners.put(get.modRevision(), new Owner(key, get.value()));
            }
        }
        return new RevisionOwners(owners);
    }

    /** Whether {@code value} of {@code key} may have been written at {@code revision}. */
    boolean mayBelongTo(long revision, String key, String value) {
        Owner owner = owners.get(revision);
        return owner == null || (owner.key().equals(key) && owner.value().equals(value));
    }
}
