package io.strata.raft;

import io.strata.raft.proto.Entry;
import java.util.List;

/** Byte accounting for batches of entries: messages, Ready batches and in-flight windows. */
final class EntrySizes {
  private EntrySizes() {}

  static long sizeBytes(Entry entry) {
    return entry.getSerializedSize();
  }

  static long sizeBytes(List<Entry> entries) {
    long total = 0;
    for (Entry e : entries) {
      total += e.getSerializedSize();
    }
    return total;
  }

  /**
   * The longest prefix of {@code entries} whose size does not exceed {@code maxSizeBytes}, but at
   * least one entry, so that a single oversized entry still makes progress.
   */
  static List<Entry> limit(List<Entry> entries, long maxSizeBytes) {
    if (entries.isEmpty()) {
      return List.of();
    }
    long size = entries.get(0).getSerializedSize();
    int count = 1;
    while (count < entries.size()) {
      size += entries.get(count).getSerializedSize();
      if (size > maxSizeBytes) {
        break;
      }
      count++;
    }
    return List.copyOf(entries.subList(0, count));
  }
}
