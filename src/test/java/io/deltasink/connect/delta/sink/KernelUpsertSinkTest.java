package io.deltasink.connect.delta.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.testing.FeatureTables;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link UpsertSinkTest} on a table the sink creates through Delta Kernel (deletion vectors on:
 * protocol (3,7)); updates are copy-on-write there too.
 */
class KernelUpsertSinkTest extends UpsertSinkTest {
  @Override
  protected void backend(Map<String, String> settings) {
    settings.put("delta.table.properties.delta.enableDeletionVectors", "true");
  }

  @Test
  void theTableIsWrittenThroughKernel() throws Exception {
    theLastRecordOfAKeyWinsWithinAFlushAndAcrossFlushes();
    assertThat(FeatureTables.protocol(dir.toUri().toString()))
        .startsWith("(3,7)")
        .contains("deletionVectors");
  }
}
