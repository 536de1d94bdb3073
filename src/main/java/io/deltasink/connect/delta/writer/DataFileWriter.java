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
 * One open Parquet data file. Not visible to Delta readers until an {@code AddFile} names it;
 * a file left behind by a failed flush is an orphan that Delta's VACUUM removes.
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

  DataFileWriter(Configuration conf, TableLayout layout, String relativePath, Map<String, String> partitionValues,
      WriterSettings settings) throws IOException {
    this.conf = conf;
    this.relativePath = relativePath;
    this.file = new Path(layout.root(), relativePath);
    this.partitionValues = partitionValues;
    this.stats = new FileStats(layout.dataColumns(), layout.dataIndexes());
    RowWriteSupport support = new RowWriteSupport(layout.dataColumns(), layout.dataIndexes());
    this.output = new TrackedOutputFile(HadoopOutputFile.fromPath(file, conf));
    this.overheadBytes = settings.openFileOverheadBytes();
    this.writer = new Builder(output, support)
        .withConf(conf)
        .withWriteMode(ParquetFileWriter.Mode.CREATE)
        .withCompressionCodec(settings.compression())
        .withRowGroupSize(settings.rowGroupBytes())
        .withPageSize(settings.pageBytes())
        .withDictionaryEncoding(true)
        .withDictionaryPageSize(settings.dictionaryBytes())
        // Parquet 1.15+ size statistics (PARQUET-2261: level histograms, unencoded byte sizes) are
        // optional footer data no Delta reader plans with yet; building them cost 12% of the sink's
        // own time (src/bench/sink-path.sh). Min/max statistics and column indexes stay.
        .withSizeStatisticsEnabled(false)
        .build();
  }

  void write(Object[] row, long offset) throws IOException {
    writer.write(row);
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

  /** Closes the file and describes it for the Delta log. */
  WrittenFile finish() throws IOException {
    writer.close();
    FileStatus status = file.getFileSystem(conf).getFileStatus(file);
    return new WrittenFile(encode(relativePath), partitionValues, status.getLen(), status.getModificationTime(),
        stats.numRecords(), stats.toJson(), firstOffset, lastOffset);
  }

  /** Closes and deletes the file; used when its rows will not be committed. */
  void abort() {
    try {
      writer.close();
    } catch (IOException | RuntimeException e) {
      LOG.debug("Closing aborted file {} failed", file, e);
    }
    deleteQuietly(conf, file);
  }

  static void deleteQuietly(Configuration conf, Path file) {
    try {
      FileSystem fs = file.getFileSystem(conf);
      fs.delete(file, false);
    } catch (IOException | RuntimeException e) {
      LOG.warn("Could not delete uncommitted data file {}; it is not in the Delta log and VACUUM will remove it", file, e);
    }
  }

  /** {@code AddFile.path} is a URI reference (RFC 2396): percent signs and spaces must be encoded. */
  static String encode(String relativePath) {
    try {
      return new URI(null, null, relativePath, null).getRawPath();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("cannot encode data file path " + relativePath, e);
    }
  }

  /** The Hadoop output file, remembering its stream so that {@link #memoryBytes()} knows what reached it. */
  private static final class TrackedOutputFile implements org.apache.parquet.io.OutputFile {
    private final org.apache.parquet.io.OutputFile delegate;
    private org.apache.parquet.io.PositionOutputStream stream;

    TrackedOutputFile(org.apache.parquet.io.OutputFile delegate) {
      this.delegate = delegate;
    }

    @Override
    public org.apache.parquet.io.PositionOutputStream create(long blockSizeHint) throws IOException {
      stream = delegate.create(blockSizeHint);
      return stream;
    }

    @Override
    public org.apache.parquet.io.PositionOutputStream createOrOverwrite(long blockSizeHint) throws IOException {
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
