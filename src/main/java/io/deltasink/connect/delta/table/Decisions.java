package io.deltasink.connect.delta.table;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;

/**
 * What one commit attempt does with each Kafka partition, decided against the {@code txn} versions
 * the log holds (see {@link PartitionCommit#standing}).
 *
 * @param included partitions whose files and {@code txn} go into the commit
 * @param alreadyThere app ids an earlier attempt (or another owner with the same rows) landed
 * @param fenced app ids another writer moved, with the version found
 * @param missing app ids left out because a file to add is gone from storage or not whole
 */
public record Decisions(
    List<PartitionCommit> included,
    Set<String> alreadyThere,
    Map<String, Long> fenced,
    Set<String> missing) {

  /**
   * @param found the log's {@code txn} version of an app id (-1 for none)
   * @param filesWhole whether every file of a partition is on storage as written; asked only for
   *     partitions that would be included, just before the commit
   */
  public static Decisions decide(
      List<PartitionCommit> partitions,
      ToLongFunction<String> found,
      Predicate<PartitionCommit> filesWhole) {
    Decisions d =
        new Decisions(new ArrayList<>(), new HashSet<>(), new HashMap<>(), new HashSet<>());
    for (PartitionCommit pc : partitions) {
      long version = found.applyAsLong(pc.appId());
      switch (pc.standing(version)) {
        case LANDED -> d.alreadyThere.add(pc.appId());
        case FENCED -> d.fenced.put(pc.appId(), version);
        case EXPECTED -> {
          if (filesWhole.test(pc)) {
            d.included.add(pc);
          } else {
            d.missing.add(pc.appId());
          }
        }
      }
    }
    return d;
  }

  /** The outcome once the included partitions landed in {@code version} (-1: none written). */
  public CommitOutcome outcome(long version) {
    Set<String> committed = new HashSet<>(alreadyThere);
    if (version >= 0) {
      included.forEach(pc -> committed.add(pc.appId()));
    }
    return new CommitOutcome(version, committed, fenced, missing);
  }
}
