package io.deltasink.connect.delta.testing;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The shared exactly-once check fails on each way a table can be wrong. */
class ExactlyOnceTest {
  private static final Map<Integer, Long> ENDS = Map.of(0, 2L, 1, 1L);

  private static Map<String, Object> row(int partition, long offset) {
    return Map.of("kafka_partition", partition, "kafka_offset", offset);
  }

  @Test
  void passesWhenEachOffsetIsThereOnce() {
    assertThatCode(
            () -> ExactlyOnce.assertEachOffsetOnce(List.of(row(0, 0), row(1, 0), row(0, 1)), ENDS))
        .doesNotThrowAnyException();
  }

  @Test
  void failsOnADuplicate() {
    assertThatThrownBy(
            () ->
                ExactlyOnce.assertEachOffsetOnce(
                    List.of(row(0, 0), row(0, 1), row(0, 1), row(1, 0)), ENDS))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("more than one row")
        .hasMessageContaining("0/1");
  }

  @Test
  void failsOnAMissingOffset() {
    assertThatThrownBy(() -> ExactlyOnce.assertEachOffsetOnce(List.of(row(0, 0), row(1, 0)), ENDS))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("missing")
        .hasMessageContaining("0/1");
  }

  @Test
  void failsOnAnOffsetNeverExpected() {
    assertThatThrownBy(
            () ->
                ExactlyOnce.assertEachOffsetOnce(
                    List.of(row(0, 0), row(0, 1), row(1, 0), row(1, 1)), ENDS))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("never expected")
        .hasMessageContaining("1/1");
  }
}
