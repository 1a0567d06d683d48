package io.strata.raft.transport;

import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;

/** Turns etcd-style peer URLs into socket addresses. */
final class PeerUrls {
  private PeerUrls() {}

  /**
   * The host and port of {@code url}. Only {@code http} is served for now: a peer URL with
   * {@code https} would promise TLS that this transport does not yet provide, so it is refused
   * rather than silently sent in the clear.
   */
  static InetSocketAddress socketAddress(URI url) {
    if (url == null || !"http".equalsIgnoreCase(url.getScheme())) {
      throw new IllegalArgumentException("peer URL must be http://host:port (TLS is not supported yet): " + url);
    }
    if (url.getHost() == null || url.getPort() < 0) {
      throw new IllegalArgumentException("peer URL needs a host and a port: " + url);
    }
    return InetSocketAddress.createUnresolved(url.getHost(), url.getPort());
  }

  /** The address to bind for a listen URL; "0.0.0.0" and "[::]" bind every interface. */
  static InetSocketAddress listenAddress(URI url) {
    InetSocketAddress unresolved = socketAddress(url);
    return new InetSocketAddress(unresolved.getHostString(), unresolved.getPort());
  }

  static List<URI> checked(List<URI> urls) {
    List<URI> copy = List.copyOf(urls);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException("a peer needs at least one URL");
    }
    copy.forEach(PeerUrls::socketAddress);
    return copy;
  }
}
