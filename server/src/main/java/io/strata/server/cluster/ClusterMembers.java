package io.strata.server.cluster;

import io.strata.api.serverpb.MemberAttributes;
import io.strata.api.serverpb.MemberChange;
import io.strata.api.serverpb.MemberRecord;
import io.strata.api.serverpb.MembershipState;
import io.strata.raft.proto.ConfChange;
import io.strata.server.raftnode.EtcdServerException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The cluster's members as replicated state: changed only by the apply thread, in log order
 * (conf changes and published attributes), and read by request handlers from any thread. It is
 * part of every state snapshot, so a restart or an installed snapshot brings it back exactly.
 *
 * <p>Members are kept ordered by id, so that validation and snapshots never depend on hash
 * order. Removed ids are remembered forever, as etcd does: a removed member may not come back
 * under the same id.
 */
public final class ClusterMembers {
  /** etcd's default --max-learners: at most one learner at a time. */
  public static final int maxLearners = 1;

  private final long clusterId;
  private final long localMemberId;
  // Guarded by this.
  private final TreeMap<Long, MemberRecord> members = new TreeMap<>(Long::compareUnsigned);
  private final TreeSet<Long> removed = new TreeSet<>(Long::compareUnsigned);
  private final List<Consumer<ClusterMembers>> listeners = new CopyOnWriteArrayList<>();

  public ClusterMembers(long clusterId, long localMemberId, Collection<MemberRecord> initial) {
    if (clusterId == 0 || localMemberId == 0) {
      throw new IllegalArgumentException("cluster and member ids must not be 0");
    }
    this.clusterId = clusterId;
    this.localMemberId = localMemberId;
    initial.forEach(m -> members.put(m.getId(), m));
  }

  public long clusterId() {
    return clusterId;
  }

  public long localMemberId() {
    return localMemberId;
  }

  /** Called (on the changing thread) after every change; listeners must not block. */
  public void addListener(Consumer<ClusterMembers> listener) {
    listeners.add(listener);
  }

  /** The members, ordered by id. */
  public synchronized List<MemberRecord> members() {
    return List.copyOf(members.values());
  }

  public synchronized Optional<MemberRecord> find(long id) {
    return Optional.ofNullable(members.get(id));
  }

  public synchronized boolean isRemoved(long id) {
    return removed.contains(id);
  }

  public synchronized List<Long> voterIds() {
    return members.values().stream().filter(m -> !m.getIsLearner()).map(MemberRecord::getId).toList();
  }

  /** A member counts as started once it has published its name, as in etcd. */
  public static boolean isStarted(MemberRecord m) {
    return !m.getName().isEmpty();
  }

  /**
   * Checks a committed membership change against the current membership; every member reaches
   * the same verdict because every member applies the same log. Returns the failure, if any.
   */
  public synchronized Optional<EtcdServerException> validate(ConfChange cc, MemberChange change) {
    long id = cc.getNodeId();
    if (removed.contains(id)) {
      return Optional.of(EtcdServerException.memberNotFound());
    }
    switch (cc.getType()) {
      case ADD_NODE, ADD_LEARNER_NODE -> {
        if (change.getIsPromote()) {
          MemberRecord existing = members.get(id);
          if (existing == null) {
            return Optional.of(EtcdServerException.memberNotFound());
          }
          if (!existing.getIsLearner()) {
            return Optional.of(EtcdServerException.memberNotLearner());
          }
          return Optional.empty();
        }
        if (members.containsKey(id)) {
          return Optional.of(EtcdServerException.memberExists());
        }
        Set<String> urls = peerUrlsExcept(0);
        for (String u : change.getMember().getPeerUrlsList()) {
          if (urls.contains(u)) {
            return Optional.of(EtcdServerException.peerUrlExists());
          }
        }
        if (change.getMember().getIsLearner() && cc.getType() == io.strata.raft.proto.ConfChangeType.ADD_LEARNER_NODE) {
          long learners = members.values().stream().filter(MemberRecord::getIsLearner).count();
          if (learners + 1 > maxLearners) {
            return Optional.of(EtcdServerException.tooManyLearners());
          }
        }
        return Optional.empty();
      }
      case REMOVE_NODE -> {
        return members.containsKey(id) ? Optional.empty() : Optional.of(EtcdServerException.memberNotFound());
      }
      case UPDATE_NODE -> {
        if (!members.containsKey(id)) {
          return Optional.of(EtcdServerException.memberNotFound());
        }
        Set<String> urls = peerUrlsExcept(id);
        for (String u : change.getMember().getPeerUrlsList()) {
          if (urls.contains(u)) {
            return Optional.of(EtcdServerException.peerUrlExists());
          }
        }
        return Optional.empty();
      }
      default -> throw new IllegalStateException("unknown conf change type " + cc.getType());
    }
  }

  /** Applies a change that {@link #validate} accepted. */
  public void apply(ConfChange cc, MemberChange change) {
    synchronized (this) {
      long id = cc.getNodeId();
      switch (cc.getType()) {
        case ADD_NODE, ADD_LEARNER_NODE -> {
          if (change.getIsPromote()) {
            members.put(id, members.get(id).toBuilder().setIsLearner(false).build());
          } else {
            members.put(id, change.getMember().toBuilder().setId(id).build());
          }
        }
        case REMOVE_NODE -> {
          members.remove(id);
          removed.add(id);
        }
        case UPDATE_NODE -> members.put(id, members.get(id).toBuilder()
            .clearPeerUrls().addAllPeerUrls(change.getMember().getPeerUrlsList()).build());
        default -> throw new IllegalStateException("unknown conf change type " + cc.getType());
      }
    }
    notifyListeners();
  }

  /**
   * Records what a running member published about itself. An announcement from a member
   * removed meanwhile is ignored, as etcd does.
   */
  public void updateAttributes(MemberAttributes attributes) {
    synchronized (this) {
      MemberRecord m = members.get(attributes.getMemberId());
      if (m == null) {
        return;
      }
      members.put(m.getId(), m.toBuilder().setName(attributes.getName())
          .clearClientUrls().addAllClientUrls(attributes.getClientUrlsList()).build());
    }
    notifyListeners();
  }

  public synchronized MembershipState toState() {
    return MembershipState.newBuilder().addAllMembers(members.values()).addAllRemovedIds(removed).build();
  }

  /** Replaces the whole membership with a snapshot's. */
  public void restore(MembershipState state) {
    synchronized (this) {
      members.clear();
      removed.clear();
      state.getMembersList().forEach(m -> members.put(m.getId(), m));
      removed.addAll(state.getRemovedIdsList());
    }
    notifyListeners();
  }

  // ---- etcd's strict reconfiguration checks (counts over voting members) ----

  /** Whether enough voters have started for one more voter to keep a started quorum. */
  public synchronized boolean isReadyToAddVotingMember() {
    int nmembers = 1;
    int nstarted = 0;
    for (MemberRecord m : members.values()) {
      if (!m.getIsLearner()) {
        nmembers++;
        if (isStarted(m)) {
          nstarted++;
        }
      }
    }
    if (nstarted == 1 && nmembers == 2) {
      // Growing a one-member cluster (for instance one restored from a backup) is allowed.
      return true;
    }
    return nstarted >= nmembers / 2 + 1;
  }

  public synchronized boolean isReadyToRemoveVotingMember(long id) {
    int nmembers = 0;
    int nstarted = 0;
    for (MemberRecord m : members.values()) {
      if (!m.getIsLearner() && m.getId() != id) {
        nmembers++;
        if (isStarted(m)) {
          nstarted++;
        }
      }
    }
    return nstarted >= nmembers / 2 + 1;
  }

  public synchronized boolean isReadyToPromoteMember() {
    // The learner counts both toward the future quorum and as started.
    int nmembers = 1;
    int nstarted = 1;
    for (MemberRecord m : members.values()) {
      if (!m.getIsLearner()) {
        nmembers++;
        if (isStarted(m)) {
          nstarted++;
        }
      }
    }
    return nstarted >= nmembers / 2 + 1;
  }

  private Set<String> peerUrlsExcept(long id) {
    Set<String> urls = new HashSet<>();
    for (MemberRecord m : members.values()) {
      if (m.getId() != id) {
        urls.addAll(m.getPeerUrlsList());
      }
    }
    return urls;
  }

  private void notifyListeners() {
    for (Consumer<ClusterMembers> l : listeners) {
      l.accept(this);
    }
  }

  @Override
  public synchronized String toString() {
    List<String> ids = new ArrayList<>();
    members.keySet().forEach(id -> ids.add(MemberIds.hex(id)));
    return "ClusterMembers" + ids;
  }
}
