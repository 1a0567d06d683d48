package io.strata.raft;

import com.google.protobuf.ByteString;

/**
 * The answer to a {@link RaftNode#readIndex} request: a linearizable read tagged with
 * {@code requestContext} may be served once the state machine has applied {@code index}.
 */
public record ReadState(long index, ByteString requestContext) {}
