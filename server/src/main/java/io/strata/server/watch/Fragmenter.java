package io.strata.server.watch;

import com.google.protobuf.CodedOutputStream;
import io.strata.api.etcdserverpb.WatchResponse;
import io.strata.api.mvccpb.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an oversized response for a watcher that asked for {@code fragment}, the way etcd's
 * watch server does: each part but the last has {@code fragment=true}, each part takes events
 * while it stays under the limit (but always at least one), and a response that is already small
 * enough, or has fewer than two events, is left whole.
 */
final class Fragmenter {
  private Fragmenter() {}

  static List<WatchResponse> split(WatchResponse whole, int maxBytes) {
    if (whole.getSerializedSize() < maxBytes || whole.getEventsCount() < 2) {
      return List.of(whole);
    }
    WatchResponse empty = whole.toBuilder().clearEvents().setFragment(true).build();
    int emptyBytes = empty.getSerializedSize();
    List<WatchResponse> parts = new ArrayList<>();
    List<Event> events = whole.getEventsList();
    int next = 0;
    while (next < events.size()) {
      int bytes = emptyBytes;
      int end = next;
      while (end < events.size()) {
        int withEvent = bytes + CodedOutputStream.computeMessageSize(WatchResponse.EVENTS_FIELD_NUMBER, events.get(end));
        // Like etcd, the event that reaches the limit goes to the next part, unless it is the
        // only one in this part.
        if (end > next && withEvent >= maxBytes) {
          break;
        }
        bytes = withEvent;
        end++;
      }
      boolean last = end == events.size();
      parts.add(empty.toBuilder().setFragment(!last).addAllEvents(events.subList(next, end)).build());
      next = end;
    }
    return parts;
  }
}
