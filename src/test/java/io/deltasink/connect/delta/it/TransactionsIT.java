package io.deltasink.connect.delta.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.DeltaSinkConnector;
import io.deltasink.connect.delta.testing.ExactlyOnce;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.LogCapture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 case 2: a transactional producer commits some transactions and aborts others. With
 * {@code consumer.override.isolation.level=read_committed} (the shipped configs' setting) the table
 * holds exactly the committed records, each once, although the offsets have gaps (one transaction
 * marker per transaction and partition); without it, Connect's default reads the aborted records
 * too, and the connector says so at start.
 */
class TransactionsIT {
  private static final String TOPIC = "txn";
  private static final int PARTITIONS = 3;
  private static final int TRANSACTIONS = 20;
  private static final int PER_TRANSACTION = 150;
  @TempDir Path tmp;

  @Test
  void onlyCommittedTransactionsLandWithReadCommitted() throws Exception {
    try (ConnectCluster cluster = new ConnectCluster("txn-it", 1);
        LogCapture logs = new LogCapture(Map.of(DeltaSinkConnector.class.getName(), Level.WARN))) {
      cluster.createTopic(TOPIC, PARTITIONS);
      String committedOnly = tmp.resolve("read-committed").toUri().toString();
      String everything = tmp.resolve("read-uncommitted").toUri().toString();
      Map<String, String> a = ConnectCluster.sinkConfig(TOPIC, committedOnly, 2);
      a.put("consumer.override.isolation.level", "read_committed");
      cluster.connect.configureConnector("txn-committed", a);
      cluster.connect.configureConnector(
          "txn-default", ConnectCluster.sinkConfig(TOPIC, everything, 2));

      Set<Long> committedSeqs = new HashSet<>();
      Set<String> committedOffsets = new HashSet<>();
      long seq = 0;
      Map<String, Object> props = new HashMap<>();
      props.put(
          ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.connect.kafka().bootstrapServers());
      props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "txn-it-producer");
      try (KafkaProducer<byte[], byte[]> p =
          new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer())) {
        p.initTransactions();
        for (int t = 0; t <= TRANSACTIONS; t++) {
          // The last one is a committed sentinel: once it is in the table, everything before it was
          // read.
          boolean commit = t % 2 == 0;
          int count = t == TRANSACTIONS ? PARTITIONS : PER_TRANSACTION;
          p.beginTransaction();
          List<Future<RecordMetadata>> sent = new ArrayList<>();
          for (int i = 0; i < count; i++, seq++) {
            sent.add(
                p.send(
                    new ProducerRecord<>(
                        TOPIC,
                        (int) (seq % PARTITIONS),
                        null,
                        ConnectCluster.temperatureJson(seq, "c"))));
            if (commit) {
              committedSeqs.add(seq);
            }
          }
          if (commit) {
            p.commitTransaction();
            for (Future<RecordMetadata> f : sent) {
              committedOffsets.add(f.get().partition() + "/" + f.get().offset());
            }
          } else {
            p.flush(); // abortTransaction() drops what is not sent yet: put the aborted records
            // in the log
            p.abortTransaction();
          }
        }
      }
      long sentinel = seq - 1;
      Set<Long> sentinels = Set.of(seq - 3, seq - 2, seq - 1); // one per partition
      ConnectCluster.waitFor(
          Duration.ofSeconds(60),
          "the sentinels in the read_committed table",
          () -> seqs(committedOnly).containsAll(sentinels));
      ConnectCluster.waitFor(
          Duration.ofSeconds(60),
          "the sentinels in the read_uncommitted table",
          () -> seqs(everything).containsAll(sentinels));

      List<Map<String, Object>> rows = new KernelReader(committedOnly).rows();
      assertThat(rows).hasSize(committedSeqs.size());
      assertThat(new HashSet<>(rows.stream().map(r -> (Long) r.get("seq")).toList()))
          .isEqualTo(committedSeqs);
      ExactlyOnce.assertEachOffsetOnce(rows, committedOffsets);
      assertThat(new KernelReader(everything).rows())
          .as("Connect's default reads aborted records too")
          .hasSize((int) seq);

      // The offsets committed to Kafka follow the table past the gaps: after the sentinel of each
      // partition.
      Map<Integer, Long> sentinelOffsets = new HashMap<>();
      rows.stream()
          .filter(r -> (Long) r.get("seq") > sentinel - PARTITIONS)
          .forEach(
              r ->
                  sentinelOffsets.put(
                      (Integer) r.get("kafka_partition"), (Long) r.get("kafka_offset")));
      try (Admin admin =
          Admin.create(
              Map.of(
                  AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                  cluster.connect.kafka().bootstrapServers()))) {
        ConnectCluster.waitFor(
            Duration.ofSeconds(60),
            "the consumer group offsets after every sentinel",
            () -> {
              try {
                Map<TopicPartition, OffsetAndMetadata> group =
                    admin
                        .listConsumerGroupOffsets("connect-txn-committed")
                        .partitionsToOffsetAndMetadata()
                        .get();
                return sentinelOffsets.entrySet().stream()
                    .allMatch(
                        e -> {
                          OffsetAndMetadata o = group.get(new TopicPartition(TOPIC, e.getKey()));
                          return o != null && o.offset() == e.getValue() + 1;
                        });
              } catch (Exception e) {
                return false;
              }
            });
      }
      String warnings = logs.text();
      assertThat(warnings)
          .contains(
              "Connector txn-default: consumer.override.isolation.level is not read_committed");
      assertThat(warnings).doesNotContain("Connector txn-committed:");
      System.out.printf(
          "[measure] %d transactions (%d committed): %d rows with read_committed, %d without%n",
          TRANSACTIONS + 1, TRANSACTIONS / 2 + 1, rows.size(), seq);
    }
  }

  private static Set<Long> seqs(String location) {
    try {
      return new HashSet<>(
          new KernelReader(location).rows().stream().map(r -> (Long) r.get("seq")).toList());
    } catch (RuntimeException e) {
      return Set.of(); // no table yet
    }
  }
}
