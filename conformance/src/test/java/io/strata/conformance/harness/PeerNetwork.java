package io.strata.conformance.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The proxied peer links of a cluster whose members advertise proxy ports: one {@link PeerProxy}
 * in front of each member's real peer port. {@link #isolate} cuts one member off from the
 * others in both directions: connections to it are refused, and so are connections it opens
 * to the others, recognised by the socket's owner (see {@link SocketOwners}).
 */
public final class PeerNetwork implements AutoCloseable {
    private final List<PeerProxy> proxies = new ArrayList<>();
    private final List<ServerProcess> members = new ArrayList<>();
    private final AtomicInteger refused = new AtomicInteger();
    private volatile int isolated = -1;

    PeerNetwork(List<String> names, List<Integer> proxyPorts, List<Integer> peerPorts) {
        for (int i = 0; i < names.size(); i++) {
            int destination = i;
            int proxyPort = proxyPorts.get(i);
            proxies.add(new PeerProxy(names.get(i), proxyPort, peerPorts.get(i),
                    sourcePort -> admits(sourcePort, proxyPort, destination)));
        }
    }

    void attach(List<ServerProcess> clusterMembers) {
        members.addAll(clusterMembers);
    }

    /** Cuts member {@code index} off from every other member until {@link #heal}. */
    public void isolate(int index) {
        if (index < 0 || index >= proxies.size()) {
            throw new IllegalArgumentException("no member " + index + " among " + proxies.size());
        }
        isolated = index;
        // Links already open are dropped; the members redial and meet the new rule.
        proxies.forEach(PeerProxy::dropConnections);
    }

    /** Lets every member reach every other again. */
    public void heal() {
        isolated = -1;
    }

    /** -1 when the network is whole. */
    public int isolatedMember() {
        return isolated;
    }

    /** How many peer connections were refused because of a partition, to show it was in effect. */
    public int refusedConnections() {
        return refused.get();
    }

    private boolean admits(int sourcePort, int proxyPort, int destination) {
        int cutOff = isolated;
        if (cutOff < 0) {
            return true;
        }
        boolean crosses = destination == cutOff
                || SocketOwners.isOwnedBy(sourcePort, proxyPort, processesOf(members.get(cutOff)));
        if (crosses) {
            refused.incrementAndGet();
        }
        return !crosses;
    }

    private static List<Long> processesOf(ServerProcess member) {
        if (!member.isRunning()) {
            return List.of();
        }
        List<Long> pids = new ArrayList<>();
        pids.add(member.pid());
        ProcessHandle.of(member.pid()).ifPresent(handle -> handle.descendants().forEach(d -> pids.add(d.pid())));
        return pids;
    }

    @Override
    public void close() {
        proxies.forEach(PeerProxy::close);
    }
}
