package io.deltasink.connect.delta.maintenance;

import io.deltasink.connect.delta.table.TableLog;
import io.deltasink.connect.delta.writer.CompactionPlan;
import io.deltasink.connect.delta.writer.FileCompactor;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One compaction run of one table: the small files of the Kafka partitions this task owns, per
 * table partition (partition values) and size tier, bin-packed by {@link CompactionPlan}, rewritten
 * by {@link FileCompactor} and committed by {@link TableLog#rewrite}.
 *
 * <p>Size tiers: a file's tier is {@code floor(log_minFiles(size))}, so a compaction merges files
 * of similar size and its output moves up a tier. A row is rewritten about {@code
 * log_minFiles(target / flush file size)} times before its file is no longer small, instead of at
 * every run, and a table partition keeps fewer than {@code minFiles} small files per tier between
 * runs.
 *
 * <p>Outcome of each bin: landed (the inputs stay on storage until {@code VACUUM}); dropped because
 * another writer removed an input first (the new file is deleted: no version references it); or
 * unknown after a storage error (the new file is kept, {@link OrphanFiles} deletes it later if the
 * log never took it).
 */
final class Compaction {
  private static final Logger LOG = LoggerFactory.getLogger(Compaction.class);

  private Compaction() {}

  /** What a run did. */
  record Result(int bins, int filesRemoved, long bytesRead, int dropped) {}

  /**
   * @param owners file name prefix ({@code part-<topic>-<partition>-}) of each owned partition
   * @param budgetBytes the most input bytes this run reads and rewrites
   */
  static Result run(
      TableLog table,
      FileCompactor compactor,
      Configuration conf,
      Map<String, TopicPartition> owners,
      long targetBytes,
      int minFiles,
      long budgetBytes) {
    Map<Map<String, String>, Map<Integer, List<WrittenFile>>> groups = new LinkedHashMap<>();
    for (WrittenFile f : table.smallFiles()) {
      if (owner(f, owners) == null || !CompactionPlan.isSmall(f.sizeBytes(), targetBytes)) {
        continue;
      }
      groups
          .computeIfAbsent(f.partitionValues(), k -> new TreeMap<>())
          .computeIfAbsent(tier(f.sizeBytes(), minFiles), k -> new ArrayList<>())
          .add(f);
    }
    int bins = 0;
    int removed = 0;
    int dropped = 0;
    long read = 0;
    for (Map<Integer, List<WrittenFile>> tiers : groups.values()) {
      for (List<WrittenFile> files : tiers.values()) {
        if (read >= budgetBytes) {
          return new Result(bins, removed, read, dropped);
        }
        for (List<WrittenFile> planned :
            CompactionPlan.plan(files, targetBytes, minFiles, budgetBytes - read)) {
          // Files from before and after a schema change are compacted apart.
          for (List<WrittenFile> bin : bySchema(table, compactor, planned)) {
            if (bin.size() < 2) {
              dropped++;
              continue;
            }
            read += bin.stream().mapToLong(WrittenFile::sizeBytes).sum();
            if (rewrite(table, compactor, conf, bin, owner(bin.get(0), owners))) {
              bins++;
              removed += bin.size();
            } else {
              dropped++;
            }
          }
        }
      }
    }
    return new Result(bins, removed, read, dropped);
  }

  /** {@code floor(log_minFiles(size))}: files whose sizes differ by less than that factor. */
  static int tier(long sizeBytes, int minFiles) {
    return (int) Math.floor(Math.log(Math.max(1, sizeBytes)) / Math.log(minFiles));
  }

  /** The owned partition whose file {@code f} is (by name), or null. */
  static TopicPartition owner(WrittenFile f, Map<String, TopicPartition> owners) {
    String name = new Path(java.net.URI.create(f.path())).getName();
    for (Map.Entry<String, TopicPartition> e : owners.entrySet()) {
      if (OrphanFiles.ownedName(name, List.of(e.getKey()))) {
        return e.getValue();
      }
    }
    return null;
  }

  private static List<List<WrittenFile>> bySchema(
      TableLog table, FileCompactor compactor, List<WrittenFile> bin) {
    try {
      return compactor.bySchema(bin);
    } catch (IOException e) {
      throw new RetriableException(
          "Reading the footers of " + bin.size() + " files of " + table.location() + " failed", e);
    }
  }

  /** Rewrites one bin; false when another writer removed an input first. */
  private static boolean rewrite(
      TableLog table,
      FileCompactor compactor,
      Configuration conf,
      List<WrittenFile> bin,
      TopicPartition owner) {
    WrittenFile out;
    try {
      out = compactor.compact(bin, owner.topic(), owner.partition());
    } catch (IOException e) {
      // An input may have been removed and vacuumed by another engine since the listing.
      throw new RetriableException(
          "Compaction of "
              + bin.size()
              + " files of "
              + table.location()
              + " failed: "
              + e.getMessage(),
          e);
    }
    long version = table.rewrite(bin, out);
    if (version >= 0) {
      return true;
    }
    if (version == TableLog.KEEP) {
      return false; // the orphan cleanup deletes it once it is provably unreferenced
    }
    // Nothing was written to the log for it (the inputs were gone before the write): no version
    // references the new file.
    Path file = new Path(new Path(table.location()), new Path(java.net.URI.create(out.path())));
    try {
      file.getFileSystem(conf).delete(file, false);
    } catch (IOException e) {
      LOG.info("Could not delete {}, left to orphan cleanup: {}", out.path(), e.getMessage());
    }
    return false;
  }
}
