package io.strata.conformance.differential;

import io.etcd.jetcd.api.CompactionRequest;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.LeaseGrantRequest;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.LeaseTimeToLiveRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.grpc.StatusRuntimeException;
import io.strata.conformance.harness.Cluster;
import io.strata.conformance.harness.EtcdGrpc;
import io.strata.conformance.harness.ServerKind;
import java.util.ArrayList;
import java.util.List;

/**
 * A fresh single-member cluster of one kind and the gRPC stubs to drive it: executes
 * operations one at a time and keeps every watch it opened until the run ends.
 */
final class ServerSession implements AutoCloseable {
    private final Cluster cluster;
    private final EtcdGrpc grpc;
    private final List<WatchRecorder> watches = new ArrayList<>();

    private ServerSession(Cluster cluster) {
        this.cluster = cluster;
        this.grpc = cluster.newGrpc();
    }

    static ServerSession start(ServerKind kind, String label) {
        return new ServerSession(Cluster.startSingle(kind, label));
    }

    ServerKind kind() {
        return cluster.kind();
    }

    Outcome execute(Operation operation) {
        try {
            return switch (operation.kind()) {
                case PUT -> Outcome.of(grpc.kv().put((PutRequest) operation.request()));
                case DELETE_RANGE -> Outcome.of(grpc.kv().deleteRange((DeleteRangeRequest) operation.request()));
                case RANGE -> Outcome.of(grpc.kv().range((RangeRequest) operation.request()));
                case TXN -> Outcome.of(grpc.kv().txn((TxnRequest) operation.request()));
                case COMPACT -> Outcome.of(grpc.kv().compact((CompactionRequest) operation.request()));
                case LEASE_GRANT -> Outcome.of(grpc.lease().leaseGrant((LeaseGrantRequest) operation.request()));
                case LEASE_REVOKE -> Outcome.of(grpc.lease().leaseRevoke((LeaseRevokeRequest) operation.request()));
                case LEASE_TIME_TO_LIVE ->
                        Outcome.of(grpc.lease().leaseTimeToLive((LeaseTimeToLiveRequest) operation.request()));
                case WATCH -> watch((WatchCreateRequest) operation.request());
            };
        } catch (StatusRuntimeException e) {
            return Outcome.of(e);
        }
    }

    private Outcome watch(WatchCreateRequest create) {
        WatchRecorder recorder = new WatchRecorder(grpc.watch());
        watches.add(recorder);
        return recorder.create(create);
    }

    /** The watches opened so far, in the order of the operations that opened them. */
    List<WatchRecorder> watches() {
        return watches;
    }

    @Override
    public void close() {
        try {
            watches.forEach(WatchRecorder::close);
            grpc.close();
        } finally {
            cluster.close();
        }
    }

    @Override
    public String toString() {
        return cluster.toString();
    }
}
