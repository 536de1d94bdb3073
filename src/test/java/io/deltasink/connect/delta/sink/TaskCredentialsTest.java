package io.deltasink.connect.delta.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.AzureAuth;
import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.testing.FakeAdlsEndpoint;
import io.deltasink.connect.delta.testing.FakeSinkTaskContext;
import io.deltasink.connect.delta.testing.Fixtures;
import io.deltasink.connect.delta.testing.LocalAbfsFileSystem;
import io.deltasink.connect.delta.testing.LogCapture;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.MockTime;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.logging.log4j.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #12 case 14: Hadoop caches file systems by scheme, authority and user, not by
 * configuration. Two connectors on one worker writing to one ADLS account must still each use their
 * own credentials, and a task started again with a rotated secret must use the new one. The first
 * two tests run the real ABFS driver against {@link FakeAdlsEndpoint}, which records the SAS token
 * of every request; the third counts the instances of {@link LocalAbfsFileSystem} a task opens and
 * closes.
 */
class TaskCredentialsTest {
  private static final TopicPartition P0 = new TopicPartition("temps", 0);
  private static final String ACCOUNT = "lake.dfs.core.windows.net";
  @TempDir Path dir;
  private final MockTime time = new MockTime(0, 1_000_000, 0);

  /** A SAS token whose signature names its owner, so that every request says whose it is. */
  private static String sas(String owner) {
    return "sv=2024-11-04&sr=c&sp=racwdl&se=2030-01-01T00%3A00%3A00Z&sig=" + owner;
  }

  private static SinkWriter sasWriter(
      FakeAdlsEndpoint adls, String connector, String table, String sas) {
    Map<String, String> p = new HashMap<>();
    p.put(DeltaSinkConfig.TABLE_LOCATION_CONFIG, "abfs://files@" + ACCOUNT + "/" + table);
    p.put(AzureAuth.METHOD_CONFIG, "sas");
    p.put(AzureAuth.SAS_TOKEN_CONFIG, sas);
    // The driver sends http://127.0.0.1:<port>/lake/files/... instead of
    // https://lake.dfs.core.windows.net/files/...
    p.put("delta.hadoop.fs.azure.abfs.endpoint", adls.endpoint());
    p.put("delta.hadoop.fs.azure.always.use.https", "false");
    // A request that cannot reach the stand-in fails at once instead of after minutes of retries.
    p.put("delta.hadoop.fs.azure.io.retry.max.retries", "0");
    return new SinkWriter(
        new DeltaSinkConfig(p), connector, new FakeSinkTaskContext(), new MockTime());
  }

  /** The SAS signatures the requests since the last call carried, one per request. */
  private static List<String> signatures(FakeAdlsEndpoint adls) {
    List<String> out = new ArrayList<>();
    synchronized (adls.requests) {
      for (String r : adls.requests) {
        int i = r.indexOf("sig=");
        out.add(i < 0 ? "(none): " + r : r.substring(i + 4).replaceAll("&.*", ""));
      }
      adls.requests.clear();
    }
    return out;
  }

  @Test
  void connectorsOnOneAccountEachUseTheirOwnCredentials() throws Exception {
    try (FakeAdlsEndpoint adls = new FakeAdlsEndpoint();
        LogCapture logs = new LogCapture(Map.of("io.deltasink", Level.DEBUG))) {
      SinkWriter a = sasWriter(adls, "orders-sink", "orders", sas("connectorA"));
      SinkWriter b = sasWriter(adls, "payments-sink", "payments", sas("connectorB"));
      // Opening a partition reads the table's Delta log: listings through the ABFS driver.
      a.open(List.of(P0));
      assertThat(signatures(adls)).isNotEmpty().containsOnly("connectorA");
      b.open(List.of(P0));
      assertThat(signatures(adls))
          .as("the second connector's requests")
          .isNotEmpty()
          .containsOnly("connectorB");
      a.close(List.of(P0));
      a.open(List.of(P0));
      assertThat(signatures(adls)).isNotEmpty().containsOnly("connectorA");
      a.close();
      b.close();
      assertThat(logs.text()).doesNotContain("connectorA", "connectorB");
    }
  }

  @Test
  void aTaskStartedAgainUsesTheRotatedSecret() throws Exception {
    try (FakeAdlsEndpoint adls = new FakeAdlsEndpoint()) {
      SinkWriter before = sasWriter(adls, "orders-sink", "orders", sas("beforeRotation"));
      before.open(List.of(P0));
      assertThat(signatures(adls)).isNotEmpty().containsOnly("beforeRotation");
      // The connector's config changes: Connect stops the task and starts a new one with the new
      // secret.
      before.close(List.of(P0));
      before.close();
      SinkWriter after = sasWriter(adls, "orders-sink", "orders", sas("afterRotation"));
      after.open(List.of(P0));
      assertThat(signatures(adls)).isNotEmpty().containsOnly("afterRotation");
      after.close();
    }
  }

  /**
   * Delta Standalone asks Hadoop for the file system on every log listing: the task must neither
   * make a client per call nor keep its client after it closes.
   */
  @Test
  void aTaskOpensOneFileSystemPerAccountAndClosesItWhenItCloses() {
    Map<String, String> p = new HashMap<>();
    p.put(DeltaSinkConfig.TABLE_LOCATION_CONFIG, "abfss://scoped@" + ACCOUNT + "/temps");
    p.put(DeltaSinkConfig.FLUSH_RECORDS_CONFIG, "10");
    p.put(AzureAuth.METHOD_CONFIG, "shared-key");
    p.put(AzureAuth.ACCOUNT_KEY_CONFIG, "a2V5");
    p.put("delta.hadoop.fs.abfss.impl", LocalAbfsFileSystem.class.getName());
    p.put("delta.hadoop." + LocalAbfsFileSystem.ROOT_KEY, dir.toString());
    int initializedBefore = LocalAbfsFileSystem.INITIALIZED.get();
    SinkWriter w = new SinkWriter(new DeltaSinkConfig(p), "conn", new FakeSinkTaskContext(), time);
    w.open(List.of(P0));
    for (long from = 0; from < 50; from += 10) {
      List<SinkRecord> batch = new ArrayList<>();
      for (long o = from; o < from + 10; o++) {
        batch.add(Fixtures.record(P0.topic(), P0.partition(), o));
      }
      w.put(batch);
    }
    assertThat(w.preCommit(Map.of())).containsExactly(Map.entry(P0, new OffsetAndMetadata(50)));
    assertThat(dir.resolve(ACCOUNT + "/scoped/temps/_delta_log/00000000000000000004.json"))
        .exists();
    assertThat(LocalAbfsFileSystem.INITIALIZED.get() - initializedBefore)
        .as("file systems the task made")
        .isEqualTo(1);
    assertThat(openForContainer("scoped")).isEqualTo(1);
    w.close();
    assertThat(openForContainer("scoped")).as("left open after the task closed").isZero();
  }

  private static long openForContainer(String container) {
    return LocalAbfsFileSystem.OPEN.stream()
        .filter(fs -> container.equals(fs.getUri().getUserInfo()))
        .count();
  }
}
