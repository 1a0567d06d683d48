package io.strata.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServiceDescriptor;
import io.strata.api.etcdserverpb.AuthGrpc;
import io.strata.api.etcdserverpb.ClusterGrpc;
import io.strata.api.etcdserverpb.KVGrpc;
import io.strata.api.etcdserverpb.LeaseGrpc;
import io.strata.api.etcdserverpb.MaintenanceGrpc;
import io.strata.api.etcdserverpb.WatchGrpc;
import io.strata.api.v3electionpb.ElectionGrpc;
import io.strata.api.v3lockpb.LockGrpc;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Clients address RPCs by their full gRPC path, so every service and method name must be
 * etcd's, and each streaming RPC must stream in the same direction as etcd's.
 */
class EtcdServiceNamesTest {

  @Test
  void servicesExposeEtcdsFullMethodNames() {
    assertThat(methodNames(KVGrpc.getServiceDescriptor())).containsExactlyInAnyOrder(
        "etcdserverpb.KV/Range", "etcdserverpb.KV/Put", "etcdserverpb.KV/DeleteRange",
        "etcdserverpb.KV/Txn", "etcdserverpb.KV/Compact");
    assertThat(methodNames(WatchGrpc.getServiceDescriptor()))
        .containsExactly("etcdserverpb.Watch/Watch");
    assertThat(methodNames(LeaseGrpc.getServiceDescriptor())).containsExactlyInAnyOrder(
        "etcdserverpb.Lease/LeaseGrant", "etcdserverpb.Lease/LeaseRevoke",
        "etcdserverpb.Lease/LeaseKeepAlive", "etcdserverpb.Lease/LeaseTimeToLive",
        "etcdserverpb.Lease/LeaseLeases");
    assertThat(methodNames(ClusterGrpc.getServiceDescriptor())).containsExactlyInAnyOrder(
        "etcdserverpb.Cluster/MemberAdd", "etcdserverpb.Cluster/MemberRemove",
        "etcdserverpb.Cluster/MemberUpdate", "etcdserverpb.Cluster/MemberList",
        "etcdserverpb.Cluster/MemberPromote");
    assertThat(methodNames(MaintenanceGrpc.getServiceDescriptor())).containsExactlyInAnyOrder(
        "etcdserverpb.Maintenance/Alarm", "etcdserverpb.Maintenance/Status",
        "etcdserverpb.Maintenance/Defragment", "etcdserverpb.Maintenance/Hash",
        "etcdserverpb.Maintenance/HashKV", "etcdserverpb.Maintenance/Snapshot",
        "etcdserverpb.Maintenance/MoveLeader", "etcdserverpb.Maintenance/Downgrade");
    assertThat(methodNames(AuthGrpc.getServiceDescriptor())).containsExactlyInAnyOrder(
        "etcdserverpb.Auth/AuthEnable", "etcdserverpb.Auth/AuthDisable",
        "etcdserverpb.Auth/AuthStatus", "etcdserverpb.Auth/Authenticate",
        "etcdserverpb.Auth/UserAdd", "etcdserverpb.Auth/UserGet", "etcdserverpb.Auth/UserList",
        "etcdserverpb.Auth/UserDelete", "etcdserverpb.Auth/UserChangePassword",
        "etcdserverpb.Auth/UserGrantRole", "etcdserverpb.Auth/UserRevokeRole",
        "etcdserverpb.Auth/RoleAdd", "etcdserverpb.Auth/RoleGet", "etcdserverpb.Auth/RoleList",
        "etcdserverpb.Auth/RoleDelete", "etcdserverpb.Auth/RoleGrantPermission",
        "etcdserverpb.Auth/RoleRevokePermission");
    assertThat(methodNames(LockGrpc.getServiceDescriptor()))
        .containsExactlyInAnyOrder("v3lockpb.Lock/Lock", "v3lockpb.Lock/Unlock");
    assertThat(methodNames(ElectionGrpc.getServiceDescriptor())).containsExactlyInAnyOrder(
        "v3electionpb.Election/Campaign", "v3electionpb.Election/Proclaim",
        "v3electionpb.Election/Leader", "v3electionpb.Election/Observe",
        "v3electionpb.Election/Resign");
  }

  @Test
  void streamingRpcsStreamInEtcdsDirections() {
    assertThat(WatchGrpc.getWatchMethod().getType()).isEqualTo(MethodType.BIDI_STREAMING);
    assertThat(LeaseGrpc.getLeaseKeepAliveMethod().getType())
        .isEqualTo(MethodType.BIDI_STREAMING);
    assertThat(MaintenanceGrpc.getSnapshotMethod().getType())
        .isEqualTo(MethodType.SERVER_STREAMING);
    assertThat(ElectionGrpc.getObserveMethod().getType())
        .isEqualTo(MethodType.SERVER_STREAMING);
    assertThat(KVGrpc.getRangeMethod().getType()).isEqualTo(MethodType.UNARY);
  }

  private static List<String> methodNames(ServiceDescriptor service) {
    return service.getMethods().stream().map(m -> m.getFullMethodName()).toList();
  }
}
