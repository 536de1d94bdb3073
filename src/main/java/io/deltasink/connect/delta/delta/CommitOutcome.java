package io.deltasink.connect.delta.delta;

import java.util.Map;
import java.util.Set;

/**
 * The result of {@link DeltaTable#commit}.
 *
 * @param tableVersion the Delta version that holds the committed partitions, -1 if none was written
 * @param committed app ids whose files and {@code txn} are now in the log
 * @param fenced app ids left out because another writer moved their {@code txn}, each with the
 *     version found in the log (the caller must drop its files and resume after that offset)
 */
public record CommitOutcome(long tableVersion, Set<String> committed, Map<String, Long> fenced) {
  public CommitOutcome {
    committed = Set.copyOf(committed);
    fenced = Map.copyOf(fenced);
  }
}
