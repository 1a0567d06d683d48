package io.strata.mvcc;

import io.strata.api.mvccpb.Event;
import java.util.List;

/**
 * Events read back from history: those of the revisions before {@code nextRevision} (in
 * revision order), and where the next read should start.
 */
public record EventBatch(List<Event> events, long nextRevision) {}
