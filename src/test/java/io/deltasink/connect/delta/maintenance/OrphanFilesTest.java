package io.deltasink.connect.delta.maintenance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which file names the orphan cleanup takes as the sink's own. */
class OrphanFilesTest {
  private static final String UUID = "0f8fad5b-d9cb-469f-a165-70867728950e";

  @Test
  void flushCompactionAndUpsertFilesOfAnOwnedPartitionAreItsOwn() {
    List<String> owned = List.of("part-t-1-");
    assertThat(OrphanFiles.ownedName("part-t-1-42-" + UUID + ".snappy.parquet", owned)).isTrue();
    assertThat(OrphanFiles.ownedName("part-t-1-c-" + UUID + ".snappy.parquet", owned)).isTrue();
    assertThat(OrphanFiles.ownedName("part-t-1-u-" + UUID + ".snappy.parquet", owned)).isTrue();
    // topic t-1 partition 0 shares the prefix of topic t partition 1
    assertThat(OrphanFiles.ownedName("part-t-1-0-x-" + UUID + ".snappy.parquet", owned)).isFalse();
    assertThat(OrphanFiles.ownedName("part-t-1-v-" + UUID + ".snappy.parquet", owned)).isFalse();
    assertThat(OrphanFiles.ownedName("part-t-1-u-" + UUID + ".crc", owned)).isFalse();
  }
}
