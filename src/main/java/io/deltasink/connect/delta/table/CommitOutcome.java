package io.deltasink.connect.delta.table;

import java.util.Map;
import java.util.Set;

/**
 * The result of {@link TableLog#commit}.
 *
 * @param tableVersion the Delta version that holds the committed partitions, -1 if none was written
 * @param committed app ids whose files and {@code txn} are now in the log
 * @param fenced app ids left out because another writer moved their {@code txn}, each with the
 *     version found in the log (the caller must drop its files and resume after that offset)
 * @param missing app ids left out because a file to add was gone from storage (or not whole), for
 *     example removed by a {@code VACUUM} with a retention shorter than the time the file waited
 *     for its commit, or because the files were written with a schema the table no longer fits:
 *     nothing of them was committed, the caller must write their rows again
 * @param state the table as the deciding attempt read it, with the commit's own schema change: what
 *     the next files are written for; null when the attempt did not read it
 */
public record CommitOutcome(
    long tableVersion,
    Set<String> committed,
    Map<String, Long> fenced,
    Set<String> missing,
    TableState state) {
  public CommitOutcome {
    committed = Set.copyOf(committed);
    fenced = Map.copyOf(fenced);
    missing = Set.copyOf(missing);
  }

  public CommitOutcome(
      long tableVersion, Set<String> committed, Map<String, Long> fenced, Set<String> missing) {
    this(tableVersion, committed, fenced, missing, null);
  }

  public CommitOutcome(long tableVersion, Set<String> committed, Map<String, Long> fenced) {
    this(tableVersion, committed, fenced, Set.of());
  }

  /** This outcome with the table's state {@code state}. */
  public CommitOutcome withState(TableState state) {
    return new CommitOutcome(tableVersion, committed, fenced, missing, state);
  }
}
