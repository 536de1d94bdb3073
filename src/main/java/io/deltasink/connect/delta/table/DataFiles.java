package io.deltasink.connect.delta.table;

import io.deltasink.connect.delta.writer.WrittenFile;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The data files a commit adds, as storage has them. */
public final class DataFiles {
  private static final Logger LOG = LoggerFactory.getLogger(DataFiles.class);

  private DataFiles() {}

  /**
   * Whether every file of {@code pc} is on storage with the size it was written with: a commit must
   * never reference a missing file (a cleaner such as a short-retention {@code VACUUM} may delete a
   * file between its writing and its commit). One status call per file, just before the commit.
   */
  public static boolean allWhole(Configuration conf, String location, PartitionCommit pc) {
    return allWhole(conf, location, pc.files());
  }

  /** {@link #allWhole(Configuration, String, PartitionCommit)} for any files. */
  public static boolean allWhole(Configuration conf, String location, List<WrittenFile> files) {
    Path root = new Path(location);
    for (WrittenFile f : files) {
      Path file = new Path(root, new Path(java.net.URI.create(f.path())));
      long size;
      try {
        size = file.getFileSystem(conf).getFileStatus(file).getLen();
      } catch (java.io.FileNotFoundException e) {
        size = -1;
      } catch (java.io.IOException e) {
        throw new RetriableException(
            "Storage error on Delta table "
                + location
                + " while checking a data file before "
                + "its commit: "
                + e.getMessage(),
            e);
      }
      if (size != f.sizeBytes()) {
        LOG.warn(
            "Data file {} of {} is {} before its commit, which leaves it out (its rows are written again, or stay in the files a compaction was to replace). Keep VACUUM's "
                + "retention above the sink's commit interval and retries (delta.flush.interval.ms plus a few minutes)",
            f.path(),
            location,
            size < 0 ? "gone" : "not whole (" + size + " of " + f.sizeBytes() + " bytes)");
        return false;
      }
    }
    return true;
  }
}
