package io.deltasink.connect.delta.writer;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A closed Parquet data file that is ready to be added to the Delta log.
 *
 * @param path the file's path relative to the table root, URI-encoded as {@code AddFile.path}
 *     requires
 * @param partitionValues partition column to serialized value ({@code null} for a null value)
 * @param sizeBytes file size in bytes
 * @param modificationTimeMs file modification time, ms since the epoch
 * @param records number of rows in the file
 * @param statsJson the protocol's per-file statistics as JSON text
 * @param firstOffset Kafka offset of the first row
 * @param lastOffset Kafka offset of the last row
 */
public record WrittenFile(
    String path,
    Map<String, String> partitionValues,
    long sizeBytes,
    long modificationTimeMs,
    long records,
    String statsJson,
    long firstOffset,
    long lastOffset) {

  public WrittenFile {
    partitionValues = Collections.unmodifiableMap(new LinkedHashMap<>(partitionValues));
  }
}
