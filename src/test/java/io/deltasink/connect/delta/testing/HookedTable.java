package io.deltasink.connect.delta.testing;

import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.table.CommitOutcome;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.table.TableLog;
import io.deltasink.connect.delta.table.TableState;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A {@link TableLog} that hands every call to a real table, with a hook before each commit. */
public record HookedTable(TableLog real, Runnable beforeCommit) implements TableLog {
  @Override
  public String location() {
    return real.location();
  }

  @Override
  public Optional<TableState> state() {
    return real.state();
  }

  @Override
  public long committedVersion(String appId) {
    return real.committedVersion(appId);
  }

  @Override
  public Map<String, Long> committedVersions(Collection<String> appIds) {
    return real.committedVersions(appIds);
  }

  @Override
  public CommitOutcome commit(
      ColumnType.Struct schema,
      List<String> partitionColumns,
      List<PartitionCommit> partitions,
      io.deltasink.connect.delta.schema.EvolutionMode evolution) {
    beforeCommit.run();
    return real.commit(schema, partitionColumns, partitions, evolution);
  }

  @Override
  public CommitOutcome merge(
      ColumnType.Struct schema,
      List<String> partitionColumns,
      List<PartitionCommit> partitions,
      io.deltasink.connect.delta.schema.EvolutionMode evolution,
      io.deltasink.connect.delta.table.Upsert upsert) {
    beforeCommit.run();
    return real.merge(schema, partitionColumns, partitions, evolution, upsert);
  }

  @Override
  public List<io.deltasink.connect.delta.writer.WrittenFile> smallFiles() {
    return real.smallFiles();
  }

  @Override
  public long rewrite(
      List<io.deltasink.connect.delta.writer.WrittenFile> removed,
      io.deltasink.connect.delta.writer.WrittenFile added) {
    return real.rewrite(removed, added);
  }

  @Override
  public java.util.Set<String> referenced(java.util.Set<String> paths) {
    return real.referenced(paths);
  }

  @Override
  public void close() {
    real.close();
  }
}
