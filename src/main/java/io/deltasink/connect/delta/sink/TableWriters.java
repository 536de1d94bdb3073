package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.config.TableRoutes;
import io.deltasink.connect.delta.config.TableSpec;
import io.deltasink.connect.delta.convert.AutoRecordConverter;
import io.deltasink.connect.delta.convert.BronzeRecordConverter;
import io.deltasink.connect.delta.convert.KafkaColumns;
import io.deltasink.connect.delta.convert.RecordConverter;
import io.deltasink.connect.delta.convert.StructRecordConverter;
import io.deltasink.connect.delta.mapping.KustoJsonConverter;
import io.deltasink.connect.delta.metrics.SinkMetrics;
import io.deltasink.connect.delta.table.TableLog;
import io.deltasink.connect.delta.writer.MemoryGate;
import java.time.Clock;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.ToLongFunction;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.connect.errors.DataException;

/**
 * The task's {@link TableWriter}s, one per table location: routes a topic to its table ({@code
 * delta.tables.topics.mapping} or the single table), and makes the table's writer with the
 * converter its input format needs the first time a topic routes there.
 */
final class TableWriters implements AutoCloseable {
  /** Opens the Delta table at a location; replaced in tests. */
  @FunctionalInterface
  interface TableOpener {
    TableLog open(String location, String tableName);
  }

  private final DeltaSinkConfig config;
  private final Configuration hadoopConf;
  private final String applicationId;
  private final TableOpener opener;
  private final TableRoutes routes;
  private final ConsumerControl consumer;
  private final MemoryGate gate;
  private final SinkMetrics metrics;
  private final Map<String, TableWriter> byLocation = new LinkedHashMap<>();

  TableWriters(
      DeltaSinkConfig config,
      Configuration hadoopConf,
      String applicationId,
      TableOpener opener,
      ConsumerControl consumer,
      MemoryGate gate,
      SinkMetrics metrics) {
    this.config = config;
    this.hadoopConf = hadoopConf;
    this.applicationId = applicationId;
    this.opener = opener;
    this.routes = config.routes();
    this.consumer = consumer;
    this.gate = gate;
    this.metrics = metrics;
  }

  /**
   * The writer of the table {@code topic} routes to.
   *
   * @throws DataException when the topic has no route (or its name cannot be a table name)
   * @throws org.apache.kafka.connect.errors.RetriableException when the table's log cannot be read
   *     now
   */
  TableWriter forTopic(String topic) {
    TableSpec spec;
    try {
      spec = routes.route(topic);
    } catch (IllegalArgumentException e) {
      throw new DataException(e.getMessage(), e);
    }
    return byLocation.computeIfAbsent(
        spec.location(),
        loc ->
            new TableWriter(
                opener.open(loc, spec.name()),
                hadoopConf,
                converter(spec),
                config.writerSettings(),
                spec.partitionColumns(),
                applicationId,
                consumer,
                config.tombstonePolicy(),
                config.schemaEvolution(),
                spec.writeMode(),
                gate,
                metrics));
  }

  private RecordConverter converter(TableSpec spec) {
    KafkaColumns kafka = config.kafkaColumns();
    return switch (spec.format()) {
      case STRUCT -> new StructRecordConverter(kafka);
      case JSON -> new KustoJsonConverter(spec.mapping(), kafka, config.jsonMaxNestingDepth());
      case BRONZE -> new BronzeRecordConverter(Clock.systemUTC());
      case AUTO ->
          spec.mapping() != null
              ? new KustoJsonConverter(spec.mapping(), kafka, config.jsonMaxNestingDepth())
              : new AutoRecordConverter(
                  new StructRecordConverter(kafka), new BronzeRecordConverter(Clock.systemUTC()));
    };
  }

  Collection<TableWriter> all() {
    return byLocation.values();
  }

  int size() {
    return byLocation.size();
  }

  long sum(ToLongFunction<TableWriter> f) {
    long n = 0;
    for (TableWriter t : byLocation.values()) {
      n += f.applyAsLong(t);
    }
    return n;
  }

  boolean anyPending() {
    for (TableWriter t : byLocation.values()) {
      if (t.hasPending()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void close() {
    for (TableWriter t : byLocation.values()) {
      Utils.closeQuietly(t, "table writer for " + t.location());
    }
    byLocation.clear();
  }
}
