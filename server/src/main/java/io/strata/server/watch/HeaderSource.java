package io.strata.server.watch;

import io.strata.api.etcdserverpb.ResponseHeader;

/**
 * Builds response headers (cluster_id, member_id, raft_term) for a revision. Called from the
 * hub's send thread, so it must be thread-safe and cheap.
 */
public interface HeaderSource {
  ResponseHeader header(long revision);
}
