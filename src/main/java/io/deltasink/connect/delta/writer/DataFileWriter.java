package io.deltasink.connect.delta.writer;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.parquet.hadoop.ParquetFileWriter;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open Parquet data file. Not visible to Delta readers until an {@code AddFile} names it; a
 * file left behind by a failed flush is an orphan that Delta's VACUUM removes.
 */
final class DataFileWriter {
  private static final Logger LOG = LoggerFactory.getLogger(DataFileWriter.class);
  private static final int SIZE_CHECK_EVERY = 128;

  private final Configuration conf;
  private final Path file;
  private final String relativePath;
  private final Map<String, String> partitionValues;
  private final FileStats stats;
  private final ParquetWriter<Object[]> writer;
  private long firstOffset = -1;
  private long lastOffset = -1;
  private long sizeEstimate;
  private final TrackedOutputFile output;
  private final long overheadBytes;

  /** Keeps the partition directory out of storage errors. */
  private final DirectoryRedaction redaction;

  /**
   * @param relativePath the file's path under the table root: partition directory and file name
   * @throws IOException when the file cannot be created, with the partition directory left out of
   *     its messages (see {@link #storageError})
   */
  DataFileWriter(
      Configuration conf,
      TableLayout layout,
      String relativePath,
      Map<String, String> partitionValues,
      WriterSettings settings)
      throws IOException {
    this.conf = conf;
    this.relativePath = relativePath;
    this.file = new Path(layout.root(), relativePath);
    this.partitionValues = partitionValues;
    this.redaction = new DirectoryRedaction(relativePath, partitionValues.keySet());
    this.stats = new FileStats(layout.dataColumns(), layout.dataIndexes());
    RowWriteSupport support = new RowWriteSupport(layout.dataColumns(), layout.dataIndexes());
    this.overheadBytes = settings.openFileOverheadBytes();
    try {
      this.output = new TrackedOutputFile(HadoopOutputFile.fromPath(file, conf));
      this.writer = build(output, support, conf, settings);
    } catch (IOException e) {
      throw storageError("Creating", e);
    }
  }

  private static ParquetWriter<Object[]> build(
      TrackedOutputFile output,
      RowWriteSupport support,
      Configuration conf,
      WriterSettings settings)
      throws IOException {
    return configured(new Builder(output, support), conf, settings, settings.rowGroupBytes())
        .build();
  }

  /**
   * {@code builder} set up as every data file of the sink is written, whatever produces its rows:
   * the settings' codec, page and dictionary sizes, the given row group size (bytes), and a new
   * file only (never overwriting one).
   */
  static <T, B extends ParquetWriter.Builder<T, B>> B configured(
      B builder, Configuration conf, WriterSettings settings, long rowGroupBytes) {
    return builder
        .withConf(conf)
        .withWriteMode(ParquetFileWriter.Mode.CREATE)
        .withCompressionCodec(settings.compression())
        .withRowGroupSize(rowGroupBytes)
        .withPageSize(settings.pageBytes())
        .withDictionaryEncoding(true)
        .withDictionaryPageSize(settings.dictionaryBytes())
        // Parquet 1.15+ size statistics (PARQUET-2261: level histograms, unencoded byte sizes) are
        // optional footer data no Delta reader plans with yet; building them cost 12% of the sink's
        // own time (src/bench/sink-path.sh). Min/max statistics and column indexes stay.
        .withSizeStatisticsEnabled(false);
  }

  /**
   * @throws IOException when the file cannot be written, its messages without the partition
   *     directory
   */
  void write(Object[] row, long offset) throws IOException {
    try {
      writer.write(row);
    } catch (IOException e) {
      throw storageError("Writing", e);
    }
    stats.add(row);
    if (firstOffset < 0) {
      firstOffset = offset;
    }
    lastOffset = offset;
    if (stats.numRecords() % SIZE_CHECK_EVERY == 1) {
      sizeEstimate = writer.getDataSize();
    }
  }

  /** Bytes written or buffered so far, refreshed every {@value #SIZE_CHECK_EVERY} rows. */
  long sizeEstimate() {
    return sizeEstimate;
  }

  long records() {
    return stats.numRecords();
  }

  /**
   * Heap this open file holds: the rows Parquet buffers for the current row group (written or
   * buffered, minus what reached the file) plus the fixed buffers of an open writer (bytes).
   */
  long memoryBytes() {
    return Math.max(0, writer.getDataSize() - output.position()) + overheadBytes;
  }

  /**
   * Closes the file and describes it for the Delta log.
   *
   * @throws IOException when closing or reading its status fails, its messages without the
   *     partition directory
   */
  WrittenFile finish() throws IOException {
    FileStatus status;
    try {
      writer.close();
      status = file.getFileSystem(conf).getFileStatus(file);
    } catch (IOException e) {
      throw storageError("Closing", e);
    }
    return new WrittenFile(
        encode(relativePath),
        partitionValues,
        status.getLen(),
        status.getModificationTime(),
        stats.numRecords(),
        stats.toJson(),
        firstOffset,
        lastOffset);
  }

  /** Closes and deletes the file; used when its rows will not be committed. */
  void abort() {
    try {
      writer.close();
    } catch (IOException | RuntimeException e) {
      LOG.trace("Closing aborted file {} failed", file, e);
    }
    deleteQuietly(conf, file);
  }

  /**
   * Deletes an uncommitted file. The log names only the file (its directory holds partition values,
   * record content), the full path and error at TRACE.
   */
  static void deleteQuietly(Configuration conf, Path file) {
    try {
      FileSystem fs = file.getFileSystem(conf);
      fs.delete(file, false);
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "Could not delete uncommitted data file {} ({}); it is not in the Delta log and VACUUM will remove it",
          file.getName(),
          e.getClass().getSimpleName());
      LOG.trace("Deleting {} failed", file, e);
    }
  }

  /**
   * The storage error {@code e} without this file's partition directory ({@link
   * DirectoryRedaction}); the original at TRACE.
   */
  private IOException storageError(String doing, IOException e) {
    if (!redaction.redacts()) {
      return e;
    }
    LOG.trace("{} data file {} failed", doing, file, e);
    return redaction.apply(e);
  }

  /**
   * {@code AddFile.path} is a URI reference (RFC 2396): percent signs and spaces must be encoded.
   */
  static String encode(String relativePath) {
    try {
      return new URI(null, null, relativePath, null).getRawPath();
    } catch (URISyntaxException e) {
      // Not chained: the cause's message quotes the path, whose directories hold partition values.
      throw new IllegalArgumentException("cannot encode a data file path: " + e.getReason());
    }
  }

  /**
   * The Hadoop output file, remembering its stream so that {@link #memoryBytes()} knows what
   * reached it.
   */
  private static final class TrackedOutputFile implements org.apache.parquet.io.OutputFile {
    private final org.apache.parquet.io.OutputFile delegate;
    private org.apache.parquet.io.PositionOutputStream stream;

    TrackedOutputFile(org.apache.parquet.io.OutputFile delegate) {
      this.delegate = delegate;
    }

    @Override
    public org.apache.parquet.io.PositionOutputStream create(long blockSizeHint)
        throws IOException {
      stream = delegate.create(blockSizeHint);
      return stream;
    }

    @Override
    public org.apache.parquet.io.PositionOutputStream createOrOverwrite(long blockSizeHint)
        throws IOException {
      stream = delegate.createOrOverwrite(blockSizeHint);
      return stream;
    }

    @Override
    public boolean supportsBlockSize() {
      return delegate.supportsBlockSize();
    }

    @Override
    public long defaultBlockSize() {
      return delegate.defaultBlockSize();
    }

    @Override
    public String getPath() {
      return delegate.getPath();
    }

    long position() {
      try {
        return stream == null ? 0 : stream.getPos();
      } catch (IOException e) {
        return 0;
      }
    }
  }

  private static final class Builder extends ParquetWriter.Builder<Object[], Builder> {
    private final RowWriteSupport support;

    Builder(org.apache.parquet.io.OutputFile file, RowWriteSupport support) {
      super(file);
      this.support = support;
    }

    @Override
    protected Builder self() {
      return this;
    }

    @Override
    protected WriteSupport<Object[]> getWriteSupport(Configuration conf) {
      return support;
    }
  }
}
