package io.deltasink.connect.delta.writer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Writes the rows of one Kafka {@code TopicPartition} into one table: one open Parquet file per set
 * of partition values, rotated when it reaches the target size. Files stay pending until the caller
 * either commits them ({@link #committed()}) or gives them up ({@link #abort()}); this class never
 * touches the Delta log.
 *
 * <p>Keeping each Kafka partition in its own files is what lets one partition be fenced or closed
 * (its files dropped) without touching the rows of another.
 */
public final class TopicPartitionWriter {
  private final Configuration conf;
  private TableLayout layout;
  private final WriterSettings settings;
  private final String filePrefix;
  private final MemoryGate gate;
  private final Map<Key, DataFileWriter> open = new HashMap<>();
  private final List<WrittenFile> finished = new ArrayList<>();
  private long records;
  private long finishedBytes;
  private long firstOffset = -1;
  private long lastOffset = -1;

  /**
   * @param filePrefix start of every file name, such as {@code part-temperatures-3}; a random UUID
   *     and the first offset follow, so a replay never overwrites an earlier file
   */
  public TopicPartitionWriter(
      Configuration conf, TableLayout layout, WriterSettings settings, String filePrefix) {
    this(conf, layout, settings, filePrefix, MemoryGate.UNLIMITED);
  }

  /**
   * @param gate asked before a new file is opened; when it says no, {@link #write} writes nothing
   */
  public TopicPartitionWriter(
      Configuration conf,
      TableLayout layout,
      WriterSettings settings,
      String filePrefix,
      MemoryGate gate) {
    this.conf = conf;
    this.layout = layout;
    this.settings = settings;
    this.filePrefix = filePrefix;
    this.gate = gate;
  }

  /**
   * The start of the name of every data file the sink writes for a Kafka partition, {@code
   * part-<topic>-<partition>}, for the {@code filePrefix} of a writer and for rewritten files.
   */
  public static String filePrefix(String topic, int partition) {
    return "part-" + topic + "-" + partition;
  }

  public TableLayout layout() {
    return layout;
  }

  /**
   * Appends one row.
   *
   * @param row the row, in table column order
   * @param offset the record's Kafka offset
   * @return false, having written nothing, when the row needs a new file and the memory gate
   *     refused it
   * @throws IOException if the file cannot be created or written
   * @throws org.apache.kafka.connect.errors.DataException having written nothing, when the row
   *     cannot be stored: a partition value no directory name can hold ({@link
   *     TableLayout#partitionDirectory}), a string with an unpaired surrogate ({@link
   *     TableLayout#checkText})
   */
  public boolean write(Object[] row, long offset) throws IOException {
    layout.checkText(row);
    String[] values = layout.partitionValues(row);
    Key key = new Key(values);
    DataFileWriter file = open.get(key);
    if (file == null) {
      // Checked before anything is opened: a value no directory can hold is the record's fault.
      String directory = layout.partitionDirectory(values);
      if (!gate.mayOpen(settings.openFileOverheadBytes())) {
        return false;
      }
      String name = filePrefix + "-" + offset + "-" + UUID.randomUUID() + settings.fileSuffix();
      file =
          new DataFileWriter(
              conf, layout, directory + name, layout.partitionValueMap(values), settings);
      open.put(key, file);
    }
    file.write(row, offset);
    records++;
    if (firstOffset < 0) {
      firstOffset = offset;
    }
    lastOffset = offset;
    if (file.sizeEstimate() >= settings.targetFileBytes()) {
      finish(open.remove(key));
    }
    return true;
  }

  /**
   * Writes the next rows with {@code newLayout} (the same table root and partition columns, an
   * evolved schema): the open files are closed first and stay pending, so every file holds one
   * schema.
   *
   * @throws IOException if closing an open file failed
   */
  public void relayout(TableLayout newLayout) throws IOException {
    if (newLayout == layout) {
      return;
    }
    for (DataFileWriter f : open.values()) {
      finish(f);
    }
    open.clear();
    layout = newLayout;
  }

  /** Heap held by this partition's open files (bytes), see {@link DataFileWriter#memoryBytes()}. */
  public long memoryBytes() {
    long total = 0;
    for (DataFileWriter f : open.values()) {
      total += f.memoryBytes();
    }
    return total;
  }

  /**
   * Closes the open file holding the most heap, if it holds at least {@code minBytes} beyond an
   * empty file's: its rows reach storage and stay pending until the next commit.
   *
   * @return the heap released (bytes), 0 when no file qualified
   */
  public long finishLargest(long minBytes) throws IOException {
    Key largest = null;
    long most = -1;
    for (Map.Entry<Key, DataFileWriter> e : open.entrySet()) {
      long m = e.getValue().memoryBytes();
      if (m > most) {
        most = m;
        largest = e.getKey();
      }
    }
    if (largest == null || most - settings.openFileOverheadBytes() < minBytes) {
      return 0;
    }
    finish(open.remove(largest));
    return most;
  }

  /** Closes an open file (already out of {@code open}) and keeps it pending commit. */
  private void finish(DataFileWriter f) throws IOException {
    WrittenFile done = f.finish();
    finished.add(done);
    finishedBytes += done.sizeBytes();
  }

  /** Rows written since the last commit. */
  public long records() {
    return records;
  }

  /** Bytes written or buffered since the last commit (estimate). */
  public long bytes() {
    long total = finishedBytes;
    for (DataFileWriter f : open.values()) {
      total += f.sizeEstimate();
    }
    return total;
  }

  /** Kafka offset of the first row written since the last commit, or -1. */
  public long firstOffset() {
    return firstOffset;
  }

  /** Kafka offset of the last row written since the last commit, or -1. */
  public long lastOffset() {
    return lastOffset;
  }

  /**
   * Closes every open file and returns all files pending commit. Calling it again without writing
   * returns the same files.
   */
  public List<WrittenFile> finishFiles() throws IOException {
    for (DataFileWriter f : open.values()) {
      finish(f);
    }
    open.clear();
    return List.copyOf(finished);
  }

  /** The pending files are now in the Delta log: forget them. */
  public void committed() {
    finished.clear();
    records = 0;
    finishedBytes = 0;
    firstOffset = -1;
    lastOffset = -1;
  }

  /** Drops every uncommitted row: closes and deletes open and pending files. */
  public void abort() {
    abort(Set.of());
  }

  /**
   * Drops every uncommitted row: closes and deletes open and pending files, except the pending
   * files in {@code keep} ({@link WrittenFile#path()} values), which a Delta commit of unknown
   * outcome may reference: deleting them could leave the log pointing at a missing file.
   */
  public void abort(Set<String> keep) {
    for (DataFileWriter f : open.values()) {
      f.abort();
    }
    open.clear();
    for (WrittenFile f : finished) {
      if (!keep.contains(f.path())) {
        DataFileWriter.deleteQuietly(
            conf, new Path(layout.root(), new Path(java.net.URI.create(f.path()))));
      }
    }
    committed();
  }

  private record Key(String[] values) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Key k && Arrays.equals(values, k.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }
  }
}
