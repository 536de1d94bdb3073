package io.deltasink.connect.delta.sink;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.config.TableRoutes;
import io.deltasink.connect.delta.config.TableSpec;
import io.deltasink.connect.delta.convert.AutoRecordConverter;
import io.deltasink.connect.delta.convert.BronzeRecordConverter;
import io.deltasink.connect.delta.convert.KafkaColumns;
import io.deltasink.connect.delta.convert.RecordConverter;
import io.deltasink.connect.delta.mapping.KustoJsonConverter;
import java.time.Clock;
import io.deltasink.connect.delta.convert.StructRecordConverter;
import io.deltasink.connect.delta.delta.DeltaTable;
import io.deltasink.connect.delta.delta.StandaloneDeltaTable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The work of one sink task: routes records to their table, decides when to flush (records,
 * bytes or time since the first uncommitted record; the first reached wins), commits each table
 * once per flush, and reports only offsets whose rows a committed Delta version holds.
 */
public final class SinkWriter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SinkWriter.class);

  /** Opens the Delta table at a location; replaced in tests. */
  @FunctionalInterface
  public interface TableOpener {
    DeltaTable open(String location, String tableName);
  }

  private final DeltaSinkConfig config;
  private final SinkTaskContext context;
  private final Time time;
  private final Configuration hadoopConf;
  private final String applicationId;
  private final TableOpener opener;
  private final TableRoutes routes;
  private final Map<String, TableWriter> tables = new LinkedHashMap<>();
  private final Map<TopicPartition, TableWriter> byPartition = new HashMap<>();
  private long firstBufferedMs = -1;

  public SinkWriter(DeltaSinkConfig config, String connectorName, SinkTaskContext context, Time time) {
    this(config, connectorName, context, time, null);
  }

  // visible for testing
  SinkWriter(DeltaSinkConfig config, String connectorName, SinkTaskContext context, Time time, TableOpener opener) {
    this.config = config;
    this.context = context;
    this.time = time;
    this.hadoopConf = HadoopConf.build(config.hadoopOverrides());
    this.applicationId = config.applicationId(connectorName);
    this.routes = config.routes();
    String engineInfo = "kafka-connect-delta/" + Version.get() + " connector/" + connectorName;
    this.opener = opener != null ? opener
        : (location, name) -> new StandaloneDeltaTable(location, hadoopConf, name, engineInfo,
            config.commitAttempts(), config.commitBackoffMs(), time::sleep);
  }

  /** See {@link org.apache.kafka.connect.sink.SinkTask#open}. */
  public void open(Collection<TopicPartition> tps) {
    Map<TableWriter, List<TopicPartition>> grouped = new LinkedHashMap<>();
    for (TopicPartition tp : tps) {
      TableWriter table;
      try {
        table = tableFor(tp.topic());
      } catch (DataException e) {
        // Its records fail one by one in put(), where errors.tolerance and the DLQ apply.
        LOG.warn("{}: {}", tp, e.getMessage());
        continue;
      }
      grouped.computeIfAbsent(table, k -> new ArrayList<>()).add(tp);
    }
    for (Map.Entry<TableWriter, List<TopicPartition>> e : grouped.entrySet()) {
      e.getKey().open(e.getValue());
      for (TopicPartition tp : e.getValue()) {
        byPartition.put(tp, e.getKey());
      }
    }
  }

  /** See {@link org.apache.kafka.connect.sink.SinkTask#put}. */
  public void put(Collection<SinkRecord> records) {
    for (SinkRecord r : records) {
      TopicPartition tp = Records.originalPartition(r);
      TableWriter table = byPartition.get(tp);
      if (table == null) {
        try {
          table = tableFor(tp.topic());
        } catch (DataException e) {
          throw new DataException(Records.describe(tp, r.originalKafkaOffset()) + ": " + e.getMessage(), e);
        }
        table.open(List.of(tp));
        byPartition.put(tp, table);
      }
      table.put(r, tp, r.originalKafkaOffset());
    }
    if (firstBufferedMs < 0 && bufferedRecords() > 0) {
      firstBufferedMs = time.milliseconds();
    }
    if (flushDue()) {
      flush();
    }
  }

  /**
   * Offsets for Connect to commit to Kafka: for each owned partition, the offset after the last
   * one a committed Delta version holds. Flushes first when the flush interval has passed.
   */
  public Map<TopicPartition, OffsetAndMetadata> preCommit(Map<TopicPartition, OffsetAndMetadata> current) {
    if (flushDue()) {
      try {
        flush();
      } catch (RetriableException e) {
        // The rows stay buffered and the next put() or preCommit() retries; report what is durable.
        LOG.warn("Delta commit failed, will retry: {}", e.getMessage());
      }
    }
    Map<TopicPartition, Long> committed = new HashMap<>();
    for (TableWriter t : tables.values()) {
      t.committedOffsets(committed);
    }
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    for (Map.Entry<TopicPartition, Long> e : committed.entrySet()) {
      out.put(e.getKey(), new OffsetAndMetadata(e.getValue()));
    }
    return out;
  }

  long bufferedRecords() {
    long n = 0;
    for (TableWriter t : tables.values()) {
      n += t.bufferedRecords();
    }
    return n;
  }

  private boolean flushDue() {
    if (firstBufferedMs < 0) {
      return false;
    }
    if (time.milliseconds() - firstBufferedMs >= config.flushIntervalMs()) {
      return true;
    }
    if (bufferedRecords() >= config.flushRecords()) {
      return true;
    }
    long bytes = 0;
    for (TableWriter t : tables.values()) {
      bytes += t.bufferedBytes();
    }
    return bytes >= config.flushBytes();
  }

  /** Commits every table that has buffered rows; one Delta commit per table. */
  public void flush() {
    long start = time.milliseconds();
    long records = bufferedRecords();
    for (TableWriter t : tables.values()) {
      t.commit();
    }
    firstBufferedMs = bufferedRecords() > 0 ? time.milliseconds() : -1;
    LOG.debug("Flushed {} records to {} tables in {} ms", records, tables.size(), time.milliseconds() - start);
  }

  /** See {@link org.apache.kafka.connect.sink.SinkTask#close}: drops exactly these partitions' uncommitted rows. */
  public void close(Collection<TopicPartition> tps) {
    Map<TableWriter, List<TopicPartition>> grouped = new LinkedHashMap<>();
    for (TopicPartition tp : tps) {
      TableWriter t = byPartition.remove(tp);
      if (t != null) {
        grouped.computeIfAbsent(t, k -> new ArrayList<>()).add(tp);
      }
    }
    grouped.forEach(TableWriter::close);
    if (bufferedRecords() == 0) {
      firstBufferedMs = -1;
    }
  }

  @Override
  public void close() {
    for (TableWriter t : tables.values()) {
      Utils.closeQuietly(t, "table writer for " + t.location());
    }
    tables.clear();
    byPartition.clear();
  }

  /**
   * The writer of the table {@code topic} routes to.
   *
   * @throws DataException when the topic has no route (or its name cannot be a table name)
   */
  private TableWriter tableFor(String topic) {
    TableSpec spec;
    try {
      spec = routes.route(topic);
    } catch (IllegalArgumentException e) {
      throw new DataException(e.getMessage(), e);
    }
    return tables.computeIfAbsent(spec.location(), loc -> new TableWriter(opener.open(loc, spec.name()), hadoopConf,
        converter(spec), config.writerSettings(), spec.partitionColumns(), applicationId, context));
  }

  private RecordConverter converter(TableSpec spec) {
    KafkaColumns kafka = config.kafkaColumns();
    return switch (spec.format()) {
      case STRUCT -> new StructRecordConverter(kafka);
      case JSON -> new KustoJsonConverter(spec.mapping(), kafka, config.jsonMaxNestingDepth());
      case BRONZE -> new BronzeRecordConverter(Clock.systemUTC());
      case AUTO -> spec.mapping() != null ? new KustoJsonConverter(spec.mapping(), kafka, config.jsonMaxNestingDepth())
          : new AutoRecordConverter(new StructRecordConverter(kafka), new BronzeRecordConverter(Clock.systemUTC()));
    };
  }
}
