package io.strata.server.cluster;

import io.strata.api.serverpb.MemberRecord;
import java.util.List;
import java.util.Optional;

/**
 * The cluster's members and this member's place among them. For now the membership is fixed at
 * bootstrap and recorded in the write-ahead log's metadata; membership changes through Raft
 * replace it with an applied, replicated record.
 */
public record Membership(long clusterId, long localMemberId, List<MemberRecord> members) {

  public Membership {
    members = List.copyOf(members);
    if (members.stream().noneMatch(m -> m.getId() == localMemberId)) {
      throw new IllegalArgumentException("local member " + MemberIds.hex(localMemberId) + " is not in the membership");
    }
  }

  public MemberRecord local() {
    return find(localMemberId).orElseThrow();
  }

  public Optional<MemberRecord> find(long id) {
    return members.stream().filter(m -> m.getId() == id).findFirst();
  }

  public List<Long> voterIds() {
    return members.stream().filter(m -> !m.getIsLearner()).map(MemberRecord::getId).toList();
  }
}
