package io.deltasink.connect.delta.writer;

import java.util.Locale;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;

/**
 * How data files are written.
 *
 * @param compression Parquet codec for every column chunk
 * @param targetFileBytes a file is closed and a new one started once its size reaches this (bytes)
 * @param rowGroupBytes Parquet row group size (bytes); also the memory one open file holds at most
 * @param pageBytes Parquet page size (bytes)
 * @param dictionaryBytes most bytes of one column chunk's dictionary; a column with more distinct
 *     values falls back to plain encoding for the rest of the chunk (Parquet's own rule)
 */
public record WriterSettings(
    CompressionCodecName compression,
    long targetFileBytes,
    long rowGroupBytes,
    int pageBytes,
    int dictionaryBytes) {
  /** Default of {@link #dictionaryBytes}: 128 KiB, see {@code delta.parquet.dictionary.bytes}. */
  public static final int DICTIONARY_BYTES_DEFAULT = 128 * 1024;

  public WriterSettings(
      CompressionCodecName compression, long targetFileBytes, long rowGroupBytes, int pageBytes) {
    this(compression, targetFileBytes, rowGroupBytes, pageBytes, DICTIONARY_BYTES_DEFAULT);
  }

  /**
   * Heap an open Parquet file holds before any row (bytes): with compression, parquet-hadoop keeps
   * an input and an output buffer of a page each per file; measured 2,102 KiB per file with snappy
   * and 1 MiB pages, 53 KiB uncompressed.
   */
  public long openFileOverheadBytes() {
    return (compression == CompressionCodecName.UNCOMPRESSED ? 0 : 2L * pageBytes) + 64 * 1024;
  }

  /**
   * The codec for a config value: {@code snappy}, {@code zstd}, {@code gzip} or {@code
   * uncompressed}.
   */
  public static CompressionCodecName codec(String name) {
    return CompressionCodecName.valueOf(name.toUpperCase(Locale.ROOT));
  }

  /** The file name suffix Spark uses for this codec, for example {@code .snappy.parquet}. */
  String fileSuffix() {
    return compression.getExtension() + ".parquet";
  }
}
