package io.strata.server.member;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a member needs to know to start: where its files are, who the initial cluster is, and
 * the limits it enforces. Built from the process configuration in one place.
 */
public record MemberOptions(
    String name,
    Path dataDir,
    Path walDir,
    Map<String, List<String>> initialCluster,
    boolean newCluster,
    String clusterToken,
    List<String> advertiseClientUrls,
    List<URI> listenPeerUrls,
    long snapshotCountEntries,
    long maxRequestBytes,
    Duration heartbeatInterval,
    Duration electionTimeout) {

  /** etcd's default: up to 5 s plus two election timeouts before a request is given up. */
  public Duration requestTimeout() {
    return Duration.ofSeconds(5).plus(electionTimeout.multipliedBy(2));
  }

  public Path memberDir() {
    return dataDir.resolve("member");
  }

  public Path effectiveWalDir() {
    return walDir != null ? walDir : memberDir().resolve("wal");
  }

  public Path snapDir() {
    return memberDir().resolve("snap");
  }
}
