package io.deltasink.connect.delta.writer;

import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.metadata.BlockMetaData;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.MessageColumnIO;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.schema.MessageType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rewrites several Parquet data files of one table partition into one new file in the same
 * partition directory, for compaction. Never touches the Delta log: the caller commits the new file
 * in place of its inputs (a {@code RemoveFile} per input, one {@code AddFile}), or deletes it.
 *
 * <p>Rows are streamed: one input row group is read at a time (at most the input file's size,
 * compressed), and the output buffers at most {@code rowGroupBytes} before it writes a row group,
 * so the heap one rewrite holds is about {@code rowGroupBytes} plus {@link
 * WriterSettings#openFileOverheadBytes()} plus one input row group, and does not grow with the rows
 * copied ({@link DetachedGroups}). Values are copied as Parquet stores them (Parquet's example
 * {@link Group} model), never converted, so the new file holds the same bytes, and its schema is
 * the inputs' own, read from their footers (field ids, types and nesting included).
 *
 * <p>The new file's statistics are merged from the inputs' statistics ({@link MergedStats}), not
 * recomputed from the rows: that is exact for the statistics {@link FileStats} writes and needs no
 * conversion of Parquet values back to the sink's row shapes. Its {@code numRecords} is the rows
 * actually copied; these must equal each input's row count as far as {@link WrittenFile#records()}
 * or its statistics say, and the new file's footer must count the same, or the rewrite fails.
 *
 * <p>On any failure the new file is deleted; the inputs are never changed. Errors name files by
 * their name only and storage errors have the partition directory taken out ({@link
 * DirectoryRedaction}): directories hold partition values, which are record content.
 *
 * <p>Not thread-safe; one rewrite at a time per instance.
 */
public final class FileCompactor {
  private static final Logger LOG = LoggerFactory.getLogger(FileCompactor.class);

  private final Configuration conf;
  private final Path tableRoot;
  private final WriterSettings settings;
  private final long rowGroupBytes;

  /**
   * @param conf the Hadoop configuration the table's data files are written with
   * @param tableRoot the table's root directory
   * @param settings how data files are written: codec, page and dictionary sizes, file suffix (its
   *     own row group size is not used)
   * @param rowGroupBytes row group size of the new file (bytes), > 0: the most rows the output
   *     buffers, which the caller counts against the task's memory budget
   */
  public FileCompactor(
      Configuration conf, Path tableRoot, WriterSettings settings, long rowGroupBytes) {
    if (rowGroupBytes <= 0) {
      throw new IllegalArgumentException("rowGroupBytes must be > 0, got " + rowGroupBytes);
    }
    this.conf = conf;
    this.tableRoot = tableRoot;
    this.settings = settings;
    this.rowGroupBytes = rowGroupBytes;
  }

  /**
   * Writes the rows of {@code inputs}, in their order, into one new file named {@code
   * part-<topic>-<partition>-c-<uuid><suffix>} in their partition directory.
   *
   * @param inputs two or more files of one table partition, as listed in the Delta log: paths
   *     relative to the table root and URI-encoded ({@link WrittenFile#path()}), equal partition
   *     values, the same Parquet schema; {@link WrittenFile#records()} below 0 when unknown
   * @param topic the topic of the Kafka partition that owns this rewrite, for the file name
   * @param partition that Kafka partition, for the file name
   * @return the new file, not yet in the Delta log: the inputs' partition values, merged
   *     statistics, offsets -1 (its rows come from many offsets)
   * @throws IllegalArgumentException when fewer than two inputs are given, they are in different
   *     partitions or directories, a path is absolute, or their schemas differ
   * @throws IllegalStateException when the rows copied differ from what an input or the new file's
   *     footer says it holds
   * @throws IOException when reading or writing fails, its messages without the partition directory
   */
  public WrittenFile compact(List<WrittenFile> inputs, String topic, int partition)
      throws IOException {
    String directory = checkInputs(inputs);
    String relativePath =
        directory
            + TopicPartitionWriter.filePrefix(topic, partition)
            + "-c-"
            + UUID.randomUUID()
            + settings.fileSuffix();
    Map<String, String> partitionValues = inputs.get(0).partitionValues();
    DirectoryRedaction redaction = new DirectoryRedaction(relativePath, partitionValues.keySet());
    Path output = new Path(tableRoot, relativePath);
    long started = System.nanoTime();
    boolean done = false;
    try {
      WrittenFile result = rewrite(inputs, relativePath, output);
      done = true;
      LOG.debug(
          "Compacted {} files ({} bytes, {} rows) into {} ({} bytes) in {} ms",
          inputs.size(),
          inputs.stream().mapToLong(WrittenFile::sizeBytes).sum(),
          result.records(),
          output.getName(),
          result.sizeBytes(),
          (System.nanoTime() - started) / 1_000_000);
      return result;
    } catch (IOException e) {
      LOG.trace("Compacting into {} failed", output, e);
      throw redaction.apply(e);
    } finally {
      if (!done) {
        DataFileWriter.deleteQuietly(conf, output);
      }
    }
  }

  private WrittenFile rewrite(List<WrittenFile> inputs, String relativePath, Path output)
      throws IOException {
    List<String> stats = new ArrayList<>(inputs.size());
    long[] rows = new long[inputs.size()];
    MessageType schema = null;
    ParquetWriter<Group> writer = null;
    try {
      for (int i = 0; i < inputs.size(); i++) {
        WrittenFile in = inputs.get(i);
        try (ParquetFileReader reader = open(in)) {
          MessageType fileSchema = reader.getFooter().getFileMetaData().getSchema();
          if (schema == null) {
            schema = fileSchema;
            writer = openWriter(output, schema);
          } else if (!schema.equals(fileSchema)) {
            throw new IllegalArgumentException(
                "cannot compact files of different schemas: "
                    + CompactionPlan.fileName(inputs.get(0))
                    + " has "
                    + oneLine(schema)
                    + " but "
                    + CompactionPlan.fileName(in)
                    + " has "
                    + oneLine(fileSchema));
          }
          rows[i] = copy(reader, schema, writer);
        }
        checkCount(in, rows[i]);
        stats.add(in.statsJson());
      }
      writer.close();
      writer = null;
    } finally {
      if (writer != null) {
        closeQuietly(writer);
      }
    }
    long total = 0;
    for (long r : rows) {
      total += r;
    }
    long inFooter = footerRows(output);
    if (inFooter != total) {
      throw new IllegalStateException(
          "the compacted file holds "
              + inFooter
              + " rows, but "
              + total
              + " were copied into it; it is deleted");
    }
    FileStatus status = output.getFileSystem(conf).getFileStatus(output);
    return new WrittenFile(
        DataFileWriter.encode(relativePath),
        inputs.get(0).partitionValues(),
        status.getLen(),
        status.getModificationTime(),
        total,
        MergedStats.merge(schema, stats, rows, total),
        -1,
        -1);
  }

  /**
   * {@code files} grouped by their Parquet schema (read from the footers), in order of first
   * appearance: files written before and after a schema change of the table cannot be merged into
   * one file, so each group is compacted on its own.
   *
   * @throws IOException when a footer cannot be read
   */
  public List<List<WrittenFile>> bySchema(List<WrittenFile> files) throws IOException {
    java.util.Map<MessageType, List<WrittenFile>> groups = new java.util.LinkedHashMap<>();
    for (WrittenFile f : files) {
      try (ParquetFileReader reader = open(f)) {
        groups
            .computeIfAbsent(
                reader.getFooter().getFileMetaData().getSchema(), k -> new java.util.ArrayList<>())
            .add(f);
      }
    }
    return List.copyOf(groups.values());
  }

  /** Opens a data file of the table ({@link WrittenFile#path()} relative to the root). */
  ParquetFileReader open(WrittenFile in) throws IOException {
    return open(new Path(tableRoot, new Path(URI.create(in.path()))));
  }

  private ParquetFileReader open(Path file) throws IOException {
    return ParquetFileReader.open(
        HadoopInputFile.fromPath(file, conf), HadoopReadOptions.builder(conf, file).build());
  }

  /** A writer of a new data file with this table's settings. */
  ParquetWriter<Group> openWriter(Path output, MessageType schema) throws IOException {
    return DataFileWriter.configured(
            ExampleParquetWriter.builder(HadoopOutputFile.fromPath(output, conf)).withType(schema),
            conf,
            settings,
            rowGroupBytes)
        .build();
  }

  Configuration conf() {
    return conf;
  }

  Path tableRoot() {
    return tableRoot;
  }

  WriterSettings settings() {
    return settings;
  }

  /** Copies every row of {@code reader}'s file; returns how many. */
  private static long copy(ParquetFileReader reader, MessageType schema, ParquetWriter<Group> out)
      throws IOException {
    MessageColumnIO columns = new ColumnIOFactory().getColumnIO(schema);
    long copied = 0;
    PageReadStore rowGroup;
    while ((rowGroup = reader.readNextRowGroup()) != null) {
      RecordReader<Group> records = columns.getRecordReader(rowGroup, new DetachedGroups(schema));
      for (long r = rowGroup.getRowCount(); r > 0; r--) {
        out.write(records.read());
        copied++;
      }
    }
    return copied;
  }

  /** Fails when the rows read differ from a count the Delta log gives for the input. */
  private static void checkCount(WrittenFile in, long read) {
    long stated = in.records() >= 0 ? in.records() : MergedStats.numRecords(in.statsJson());
    if (stated >= 0 && stated != read) {
      throw new IllegalStateException(
          "file "
              + CompactionPlan.fileName(in)
              + " holds "
              + read
              + " rows, but the table log says "
              + stated
              + "; nothing is compacted");
    }
  }

  private long footerRows(Path file) throws IOException {
    try (ParquetFileReader reader = open(file)) {
      long rows = 0;
      for (BlockMetaData block : reader.getFooter().getBlocks()) {
        rows += block.getRowCount();
      }
      return rows;
    }
  }

  /**
   * The inputs' common directory (decoded, relative to the table root, {@code ""} when
   * unpartitioned).
   */
  private static String checkInputs(List<WrittenFile> inputs) {
    if (inputs.size() < 2) {
      throw new IllegalArgumentException(
          "compaction needs at least two files, got " + inputs.size());
    }
    WrittenFile first = inputs.get(0);
    String directory = null;
    for (WrittenFile in : inputs) {
      URI uri = URI.create(in.path());
      if (uri.isAbsolute() || uri.getPath().startsWith("/")) {
        throw new IllegalArgumentException(
            "file "
                + CompactionPlan.fileName(in)
                + " has an absolute path; only files under the table root are compacted");
      }
      String decoded = uri.getPath();
      String dir = decoded.substring(0, decoded.lastIndexOf('/') + 1);
      if (directory == null) {
        directory = dir;
      } else if (!directory.equals(dir) || !in.partitionValues().equals(first.partitionValues())) {
        throw new IllegalArgumentException(
            "cannot compact files of different partitions: "
                + CompactionPlan.fileName(first)
                + " and "
                + CompactionPlan.fileName(in));
      }
    }
    return directory;
  }

  /** The schema's text (column names and types, no values) on one line. */
  private static String oneLine(MessageType schema) {
    return schema.toString().replaceAll("\\s+", " ").trim();
  }

  private static void closeQuietly(ParquetWriter<Group> writer) {
    try {
      writer.close();
    } catch (IOException | RuntimeException e) {
      LOG.trace("Closing a failed compaction output failed", e);
    }
  }
}
