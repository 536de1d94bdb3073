package io.deltasink.connect.delta.convert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.Test;

class KafkaColumnsTest {
  private final KafkaColumns columns =
      new KafkaColumns(
          List.of(
              KafkaColumns.Coordinate.TOPIC,
              KafkaColumns.Coordinate.PARTITION,
              KafkaColumns.Coordinate.OFFSET,
              KafkaColumns.Coordinate.TIMESTAMP));

  private static SinkRecord record(Long timestamp) {
    return new SinkRecord(
        "renamed",
        1,
        null,
        null,
        null,
        "v",
        7,
        timestamp,
        TimestampType.CREATE_TIME,
        null,
        "orders",
        3,
        1007L);
  }

  @Test
  void fillsTheOriginalCoordinates() {
    Object[] row = new Object[5];
    columns.fill(row, new int[] {1, 2, 3, 4}, record(1_700_000_000_123L));
    assertThat(row).containsExactly(null, "orders", 3, 1007L, 1_700_000_000_123_000L);
    columns.fill(row, new int[] {1, 2, 3, 4}, record(null));
    assertThat(row[4]).isNull();
  }

  /**
   * Issue 12 case 13: an absurd Kafka timestamp is a bad record, not an ArithmeticException that
   * fails the task.
   */
  @Test
  void aTimestampBeyondTheMicrosecondsOfALongIsABadRecord() {
    Object[] row = new Object[4];
    for (long ms : new long[] {Long.MAX_VALUE / 1000 + 1, Long.MIN_VALUE / 1000 - 1}) {
      assertThatThrownBy(() -> columns.fill(row, new int[] {0, 1, 2, 3}, record(ms)))
          .isInstanceOf(DataException.class)
          .hasMessage(
              "column 'kafka_timestamp': the record's timestamp is out of range for a timestamp column "
                  + "(microseconds since 1970 in a long)");
    }
  }
}
