package io.deltasink.connect.delta.writer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which small data files of one table partition to rewrite together, as a pure function of their
 * sizes, modification times and paths (no I/O). Each returned bin becomes one new file ({@link
 * FileCompactor}) that replaces its inputs in one Delta commit.
 *
 * <p>The rules:
 *
 * <ol>
 *   <li>A file is a candidate ("small") when its size is below half of the target file size ({@link
 *       #isSmall}); other files are ignored, so the caller may pass every file of the partition.
 *   <li>Nothing is planned when fewer than {@code minFiles} candidates exist.
 *   <li>Candidates are taken oldest first ({@link WrittenFile#modificationTimeMs()}, then {@link
 *       WrittenFile#path()} for a stable order) and packed "next fit": a file joins the current bin
 *       while the bin's total input bytes stay at or below the bin capacity, otherwise it starts
 *       the next bin. Consecutive files stay together, so a new file holds rows of neighbouring
 *       times, and the same input always gives the same bins.
 *   <li>The bin capacity is {@code min(targetBytes, maxBytesPerRun)}: an output file is never meant
 *       to exceed the target, and a single bin always fits the run's budget, so a budget below the
 *       target makes smaller outputs rather than no compaction at all.
 *   <li>A bin of one file is dropped: rewriting it alone gains nothing. With a capacity of {@code
 *       targetBytes}, only the last bin can hold a single file (a file that does not fit into the
 *       current bin, itself below half the capacity, finds the bin more than half full, so with at
 *       least two files).
 *   <li>Bins are kept in order while the total input bytes of the run stay at or below {@code
 *       maxBytesPerRun}; the first bin that would exceed it ends the plan (later bins wait for the
 *       next run, so the oldest files always go first).
 * </ol>
 *
 * Output file sizes follow input sizes only roughly (one footer instead of many, other encodings),
 * which is why the target bounds the input bytes: a rewritten file may come out a little above or
 * below it.
 */
public final class CompactionPlan {
  private static final Comparator<WrittenFile> OLDEST_FIRST =
      Comparator.comparingLong(WrittenFile::modificationTimeMs).thenComparing(WrittenFile::path);

  private CompactionPlan() {}

  /**
   * Whether a file of {@code sizeBytes} is small enough to be compacted: below half of {@code
   * targetBytes}.
   */
  public static boolean isSmall(long sizeBytes, long targetBytes) {
    // 2 * size < target, without overflow for sizes near Long.MAX_VALUE.
    return sizeBytes < targetBytes - sizeBytes;
  }

  /**
   * The bins to rewrite, each a list of two or more files, oldest first.
   *
   * @param files files of one table partition (all with equal {@link
   *     WrittenFile#partitionValues()}); files that are not {@linkplain #isSmall small} are ignored
   * @param targetBytes target size of a data file ({@code delta.file.target.bytes}), bytes, > 0
   * @param minFiles least number of small files for a plan, >= 1 (below 2 it acts as 2, since a bin
   *     needs two files)
   * @param maxBytesPerRun most input bytes of all bins together, >= 0
   * @return the bins, possibly none; never the same file twice
   * @throws IllegalArgumentException if an argument is out of range, the files belong to different
   *     partitions, or a path is given twice
   */
  public static List<List<WrittenFile>> plan(
      List<WrittenFile> files, long targetBytes, int minFiles, long maxBytesPerRun) {
    if (targetBytes <= 0 || minFiles < 1 || maxBytesPerRun < 0) {
      throw new IllegalArgumentException(
          "targetBytes must be > 0, minFiles >= 1 and maxBytesPerRun >= 0; got "
              + targetBytes
              + ", "
              + minFiles
              + ", "
              + maxBytesPerRun);
    }
    checkOnePartition(files);
    List<WrittenFile> small = new ArrayList<>();
    for (WrittenFile f : files) {
      if (isSmall(f.sizeBytes(), targetBytes)) {
        small.add(f);
      }
    }
    if (small.size() < minFiles) {
      return List.of();
    }
    small.sort(OLDEST_FIRST);
    long capacity = Math.min(targetBytes, maxBytesPerRun);
    List<List<WrittenFile>> bins = new ArrayList<>();
    List<WrittenFile> bin = new ArrayList<>();
    long binBytes = 0;
    for (WrittenFile f : small) {
      if (!bin.isEmpty() && binBytes + f.sizeBytes() > capacity) {
        bins.add(bin);
        bin = new ArrayList<>();
        binBytes = 0;
      }
      bin.add(f);
      binBytes += f.sizeBytes();
    }
    bins.add(bin);

    List<List<WrittenFile>> planned = new ArrayList<>();
    long runBytes = 0;
    for (List<WrittenFile> b : bins) {
      if (b.size() < 2) {
        continue;
      }
      long bytes = b.stream().mapToLong(WrittenFile::sizeBytes).sum();
      // Never true for the first bin: a bin of two or more files stays within the capacity.
      if (runBytes + bytes > maxBytesPerRun) {
        break;
      }
      runBytes += bytes;
      planned.add(List.copyOf(b));
    }
    return List.copyOf(planned);
  }

  private static void checkOnePartition(List<WrittenFile> files) {
    Set<String> paths = new HashSet<>();
    Map<String, String> partition = files.isEmpty() ? null : files.get(0).partitionValues();
    for (WrittenFile f : files) {
      if (!f.partitionValues().equals(partition)) {
        // Names no values: partition values are record content.
        throw new IllegalArgumentException(
            "the files to plan belong to more than one table partition: "
                + fileName(files.get(0))
                + " and "
                + fileName(f));
      }
      if (!paths.add(f.path())) {
        throw new IllegalArgumentException("file " + fileName(f) + " is listed twice");
      }
    }
  }

  /** The last path segment: the file's name, which holds no partition values. */
  static String fileName(WrittenFile f) {
    return f.path().substring(f.path().lastIndexOf('/') + 1);
  }
}
