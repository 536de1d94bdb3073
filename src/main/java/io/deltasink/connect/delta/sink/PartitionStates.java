package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.writer.TopicPartitionWriter;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.apache.kafka.common.TopicPartition;

/**
 * The {@link PartitionState}s of the Kafka partitions one {@link TableWriter} owns, with sums over
 * them.
 */
final class PartitionStates {
  private final Map<TopicPartition, PartitionState> byPartition = new HashMap<>();

  PartitionState get(TopicPartition tp) {
    return byPartition.get(tp);
  }

  PartitionState remove(TopicPartition tp) {
    return byPartition.remove(tp);
  }

  void put(PartitionState st) {
    byPartition.put(st.tp, st);
  }

  Collection<PartitionState> all() {
    return byPartition.values();
  }

  Collection<TopicPartition> partitions() {
    return byPartition.keySet();
  }

  /** Whether any partition holds rows or handled offsets not yet committed. */
  boolean anyPending() {
    for (PartitionState st : byPartition.values()) {
      if (st.pending()) {
        return true;
      }
    }
    return false;
  }

  /** Whether any of {@code tps} holds rows or handled offsets not yet committed. */
  boolean anyPending(Collection<TopicPartition> tps) {
    for (TopicPartition tp : tps) {
      PartitionState st = byPartition.get(tp);
      if (st != null && st.pending()) {
        return true;
      }
    }
    return false;
  }

  /** {@code f} summed over the partitions' Parquet writers (those that have one). */
  long sumOverWriters(ToLongFunction<TopicPartitionWriter> f) {
    long n = 0;
    for (PartitionState st : byPartition.values()) {
      if (st.writer != null) {
        n += f.applyAsLong(st.writer);
      }
    }
    return n;
  }

  /** {@code f} summed over the partitions' kept records of an upserted table. */
  long sumOverKeyed(ToLongFunction<KeyedRows> f) {
    long n = 0;
    for (PartitionState st : byPartition.values()) {
      if (st.keyed != null) {
        n += f.applyAsLong(st.keyed);
      }
    }
    return n;
  }

  /** The partition whose open files hold the most heap, or null when none holds any. */
  PartitionState largestInMemory() {
    PartitionState largest = null;
    long most = 0;
    for (PartitionState st : byPartition.values()) {
      long m = st.writer == null ? 0 : st.writer.memoryBytes();
      if (m > most) {
        most = m;
        largest = st;
      }
    }
    return largest;
  }

  /** Next offset after the last one in the table, per owned partition that has one. */
  void committedOffsets(Map<TopicPartition, Long> out) {
    for (PartitionState st : byPartition.values()) {
      if (st.committed >= 0) {
        out.put(st.tp, st.committed + 1);
      }
    }
  }

  /**
   * The data file name prefix ({@code part-<topic>-<partition>-}) of each owned partition, or only
   * of the settled ones: committed by this task since it took them, nothing uncommitted now.
   */
  Map<String, TopicPartition> filePrefixes(boolean settledOnly) {
    Map<String, TopicPartition> out = new java.util.LinkedHashMap<>();
    for (PartitionState st : byPartition.values()) {
      if (!settledOnly || st.committedHere && !st.pending() && st.inDoubtFiles.isEmpty()) {
        out.put(TopicPartitionWriter.filePrefix(st.tp.topic(), st.tp.partition()) + "-", st.tp);
      }
    }
    return out;
  }

  java.util.Set<String> settledPrefixes() {
    return java.util.Set.copyOf(filePrefixes(true).keySet());
  }
}
