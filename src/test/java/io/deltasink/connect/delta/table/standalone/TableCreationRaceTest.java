package io.deltasink.connect.delta.table.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.table.AtomicLocalLogStore;
import io.deltasink.connect.delta.table.CommitOutcome;
import io.deltasink.connect.delta.table.PartitionCommit;
import io.deltasink.connect.delta.testing.KernelReader;
import io.deltasink.connect.delta.testing.LogCapture;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 case 17: several tasks starting on a new table race to create it in version 0. One wins;
 * the others must append to it quietly, without Delta's "protocol version ... changed by a
 * concurrent update" text in the logs at INFO or above.
 */
class TableCreationRaceTest {
  private static final int WRITERS = 3;

  /**
   * Holds the first writers of version 0 until all of them have read the empty log and try to write
   * it.
   */
  public static class RacingLogStore extends AtomicLocalLogStore {
    static volatile CyclicBarrier firstVersion;

    public RacingLogStore(Configuration conf) {
      super(conf);
    }

    @Override
    public void write(
        org.apache.hadoop.fs.Path path,
        Iterator<String> actions,
        Boolean overwrite,
        Configuration conf)
        throws IOException {
      CyclicBarrier barrier = firstVersion;
      if (barrier != null && path.getName().equals("00000000000000000000.json")) {
        try {
          barrier.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
          throw new IOException("the racing writers did not all arrive", e);
        }
      }
      super.write(path, actions, overwrite, conf);
    }
  }

  @TempDir Path dir;

  /** Ten rows (offsets 0-9) in one closed Parquet file per partition. */
  private static List<WrittenFile> files(String location, int partition) throws IOException {
    return TestDataFiles.sequence(
        HadoopConf.build(Map.of()), location, "part-t-" + partition, 0, 9);
  }

  @Test
  void tasksRacingToCreateATableAllAppendWithoutAlarmingLogs() throws Exception {
    Configuration conf =
        HadoopConf.build(Map.of("delta.logStore.file.impl", RacingLogStore.class.getName()));
    String location = dir.toUri().toString();
    RacingLogStore.firstVersion = new CyclicBarrier(WRITERS);
    ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
    try (LogCapture logs =
        new LogCapture(
            Map.of(
                StandaloneTableLog.class.getName(),
                Level.DEBUG,
                io.deltasink.connect.delta.table.CommitAttempts.class.getName(),
                Level.DEBUG))) {
      List<Future<CommitOutcome>> outcomes = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        int partition = w;
        StandaloneTableLog table =
            new StandaloneTableLog(location, conf, "t", "test", 5, 1, ms -> {});
        List<WrittenFile> files = files(location, partition);
        outcomes.add(
            pool.submit(
                () ->
                    table.commit(
                        StandaloneTableLogTest.SCHEMA,
                        List.of(),
                        List.of(new PartitionCommit("app/t/" + partition, -1, 9, files)))));
      }
      for (Future<CommitOutcome> f : outcomes) {
        assertThat(f.get(60, TimeUnit.SECONDS).committed()).hasSize(1);
      }
      String text = logs.text();
      assertThat(
              text.lines()
                  .filter(l -> !l.startsWith("DEBUG"))
                  .filter(l -> l.contains("concurrent"))
                  .toList())
          .as("lines about the race at INFO or above")
          .isEmpty();
      assertThat(text)
          .as("the race happened")
          .contains("was created by another writer at the same moment");
    } finally {
      RacingLogStore.firstVersion = null;
      pool.shutdownNow();
    }
    assertThat(new KernelReader(location).rows()).hasSize(WRITERS * 10);
  }
}
