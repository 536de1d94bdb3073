package io.deltasink.connect.delta.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.expressions.AlwaysTrue;
import io.deltasink.connect.delta.testing.ExactlyOnce;
import io.deltasink.connect.delta.testing.KernelReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hard crashes: a Connect worker in a child JVM is killed with SIGKILL while it writes Parquet
 * files and while it publishes a Delta commit, then restarted, several times while data flows. The
 * table must end with every (partition, offset) exactly once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CrashIT {
  private static final String TOPIC = "crash";
  private static final int PARTITIONS = 6;
  private ConnectCluster cluster;
  @TempDir static Path tmp;
  private ChildWorker worker;

  @BeforeAll
  void start() throws Exception {
    cluster = new ConnectCluster("crash-it", 1);
    cluster.createTopic(TOPIC, PARTITIONS);
    worker = new ChildWorker(cluster, "crash-workers", logs());
  }

  @AfterAll
  void stop() throws InterruptedException {
    worker.close();
    cluster.close();
  }

  private void putConnector(String location) throws Exception {
    Map<String, String> c = ConnectCluster.sinkConfig(TOPIC, location, 2);
    c.put("delta.flush.interval.ms", "300");
    c.put("delta.hadoop.delta.logStore.file.impl", SlowCommitLogStore.class.getName());
    c.put("delta.hadoop.test.commit.marker", tmp.resolve("committing").toString());
    c.put("consumer.override.session.timeout.ms", "6000");
    c.put("consumer.override.heartbeat.interval.ms", "1000");
    c.put("consumer.override.max.poll.records", "200");
    worker.putConnector("crash", c);
  }

  @Test
  void sigkillWhileWritingAndWhileCommittingLosesAndDuplicatesNothing() throws Exception {
    String location = tmp.resolve("crash-table").toUri().toString();
    AtomicBoolean producing = new AtomicBoolean(true);
    AtomicLong produced = new AtomicLong();
    // Data keeps flowing through every crash round (about 45 s).
    Thread producer =
        cluster.startPacedProducer(
            TOPIC, PARTITIONS, 60_000, 1_000, 750, producing::get, produced::set);
    Path marker = tmp.resolve("committing");
    Path table = tmp.resolve("crash-table");
    int killsMidCommit = 0;
    int killsMidWrite = 0;
    for (int round = 0; round < 4; round++) {
      Set<String> earlier =
          parquetFiles(table); // left by the workers killed before: not this one's writes
      worker.start(round, "512m", List.of());
      if (round == 0) {
        putConnector(location);
      }
      if (round % 2 == 0) {
        ConnectCluster.waitFor(
            Duration.ofSeconds(60), "a commit in progress", () -> Files.exists(marker));
        worker.kill();
        killsMidCommit++;
      } else {
        ConnectCluster.waitFor(
            Duration.ofSeconds(60),
            "a Parquet file being written, outside a commit",
            () -> !Files.exists(marker) && !uncommittedFiles(table, earlier).isEmpty());
        worker.kill();
        // Nothing writes the table now: a file of this worker that no Delta version references was
        // being written (or waiting for its commit) when it died.
        assertThat(uncommittedFiles(table, earlier))
            .as("round %d: files the killed worker wrote and never committed", round)
            .isNotEmpty();
        killsMidWrite++;
      }
      Files.deleteIfExists(marker);
      System.out.printf(
          "[measure] round %d: killed the worker %s; %d records produced so far%n",
          round, round % 2 == 0 ? "during a Delta commit" : "while writing", produced.get());
    }
    producer.join();
    worker.start(99, "512m", List.of());
    cluster.awaitCommitted(location, "crash", TOPIC, PARTITIONS, Duration.ofSeconds(180));

    List<Map<String, Object>> rows = new KernelReader(location).rows();
    Map<Integer, Long> ends = cluster.endOffsets(TOPIC, PARTITIONS);
    assertThat(ends.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(60_000);
    ExactlyOnce.assertEachOffsetOnce(rows, ends);
    System.out.printf(
        "[measure] %d SIGKILLs (%d mid-commit, %d mid-write): %d rows, each offset once, %d Delta versions%n",
        killsMidCommit + killsMidWrite,
        killsMidCommit,
        killsMidWrite,
        rows.size(),
        new KernelReader(location).snapshot().getVersion() + 1);
    worker.close();
  }

  /**
   * Names of the Parquet files in the (unpartitioned) table directory, none if it does not exist
   * yet.
   */
  private static Set<String> parquetFiles(Path table) {
    if (!Files.isDirectory(table)) {
      return new HashSet<>();
    }
    try (Stream<Path> s = Files.list(table)) {
      return s.map(f -> f.getFileName().toString())
          .filter(n -> n.endsWith(".parquet"))
          .collect(Collectors.toCollection(HashSet::new));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Parquet files in the table directory, not among {@code earlier}, that the latest Delta version
   * does not reference: files a worker is writing or has not committed yet. The directory is listed
   * before the log is read, so a file committed meanwhile counts as referenced.
   */
  private static Set<String> uncommittedFiles(Path table, Set<String> earlier) {
    Set<String> files = parquetFiles(table);
    files.removeAll(earlier);
    if (!files.isEmpty()) {
      try {
        new KernelReader(table.toUri().toString())
            .filesMatching(AlwaysTrue.ALWAYS_TRUE)
            .forEach(files::remove);
      } catch (TableNotFoundException e) {
        // no Delta version yet: nothing is referenced
      }
    }
    return files;
  }

  private static Path logs() throws IOException {
    return Files.createDirectories(Path.of("target/crash-it"));
  }
}
