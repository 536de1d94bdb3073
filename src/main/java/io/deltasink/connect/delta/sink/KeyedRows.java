package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.writer.RowKeys;
import io.deltasink.connect.delta.writer.TableLayout;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One Kafka partition's uncommitted records of an upserted table (issue #17): the last one per key,
 * by offset, which a commit writes out with the rewrite of the table's files that hold the keys.
 * Rows stay on the heap until their commit, so the flush settings ({@code delta.flush.*}) bound
 * them; {@link #bytes} estimates their size for the flush by bytes.
 */
final class KeyedRows {
  /**
   * The last record of a key.
   *
   * @param offset its Kafka offset
   * @param row the row in {@code layout}'s column order, null for a delete (a tombstone)
   * @param layout the layout the row was converted for
   */
  record Entry(long offset, Object[] row, TableLayout layout) {}

  /**
   * Heap of one kept key besides its row: the map's node, the {@link Entry}, the key's object, its
   * value array and boxed values.
   */
  private static final long ENTRY_BYTES = 200;

  private final Map<RowKeys.Key, Entry> byKey = new LinkedHashMap<>();
  private long bytes;
  private long lastOffset = -1;

  /** Keeps {@code row} (null: a delete) as the key's last record. */
  void put(RowKeys.Key key, long offset, Object[] row, TableLayout layout) {
    Entry old = byKey.remove(key); // re-inserted last: the map stays in offset order
    if (old != null) {
      bytes -= estimate(old.row());
    }
    byKey.put(key, new Entry(offset, row, layout));
    bytes += estimate(row);
    lastOffset = Math.max(lastOffset, offset);
  }

  /** The entries in offset order of their last record. */
  Collection<Map.Entry<RowKeys.Key, Entry>> entries() {
    return byKey.entrySet();
  }

  Set<RowKeys.Key> keys() {
    return byKey.keySet();
  }

  /** The last record of {@code key}, null when none. */
  Entry get(RowKeys.Key key) {
    return byKey.get(key);
  }

  /** Drops {@code key}'s record (another partition's later record of it wins). */
  void remove(RowKeys.Key key) {
    Entry old = byKey.remove(key);
    if (old != null) {
      bytes -= estimate(old.row());
    }
  }

  /** Keys held (rows and deletes). */
  int size() {
    return byKey.size();
  }

  /** An estimate of the heap the rows hold (bytes). */
  long bytes() {
    return bytes;
  }

  /** The highest offset kept since the last {@link #clear}, -1 for none. */
  long lastOffset() {
    return lastOffset;
  }

  /**
   * Replaces every key by {@code remap} of its entry, keeping the later record where two become one
   * (a key column widened while rows were kept).
   */
  void rekey(java.util.function.BiFunction<RowKeys.Key, Entry, RowKeys.Key> remap) {
    java.util.List<Map.Entry<RowKeys.Key, Entry>> old = new java.util.ArrayList<>(byKey.entrySet());
    byKey.clear();
    long keptLast = lastOffset;
    bytes = 0;
    for (Map.Entry<RowKeys.Key, Entry> e : old) {
      Entry v = e.getValue();
      RowKeys.Key k = remap.apply(e.getKey(), v);
      Entry before = byKey.get(k);
      if (before == null || before.offset() < v.offset()) {
        put(k, v.offset(), v.row(), v.layout());
      }
    }
    lastOffset = keptLast;
  }

  void clear() {
    byKey.clear();
    bytes = 0;
    lastOffset = -1;
  }

  /**
   * Heap of a kept key and its row (null for a delete): references, boxes, and the payload of
   * strings, bytes and nested values.
   */
  static long estimate(Object[] row) {
    if (row == null) {
      return ENTRY_BYTES;
    }
    long n = ENTRY_BYTES + 16 + 8L * row.length;
    for (Object v : row) {
      n += estimateValue(v);
    }
    return n;
  }

  private static long estimateValue(Object v) {
    if (v == null) {
      return 0;
    }
    if (v instanceof String s) {
      return 48 + s.length();
    }
    if (v instanceof byte[] b) {
      return 16 + b.length;
    }
    if (v instanceof ByteBuffer b) {
      return 64 + b.remaining();
    }
    if (v instanceof BigDecimal) {
      return 64;
    }
    if (v instanceof Object[] a) {
      return estimate(a);
    }
    if (v instanceof Collection<?> c) {
      long n = 48;
      for (Object e : c) {
        n += 8 + estimateValue(e);
      }
      return n;
    }
    if (v instanceof Map<?, ?> m) {
      long n = 48;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        n += 32 + estimateValue(e.getKey()) + estimateValue(e.getValue());
      }
      return n;
    }
    return 24;
  }
}
