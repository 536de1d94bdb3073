package io.deltasink.connect.delta.sink;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The flush decision with a clock and numbers alone. */
class FlushPolicyTest {
  /** 1,000 records, 1,000,000 bytes, 10 s interval, 200 ms idle. */
  private final FlushPolicy policy = new FlushPolicy(1_000, 1_000_000, 10_000, 200);

  @ParameterizedTest(name = "{0} records, {1} bytes, {2} ms after the first: due={3}")
  @CsvSource({
    "999, 999999, 9999, false",
    "1000, 0, 0, true",
    "0, 1000000, 0, true",
    "1, 1, 10000, true",
  })
  void dueAtTheFirstLimitReached(long records, long bytes, long elapsedMs, boolean due) {
    policy.holding(true, 5_000);
    assertThat(policy.due(records, bytes, 5_000 + elapsedMs)).isEqualTo(due);
  }

  @Test
  void nothingIsDueWhileNothingIsHeld() {
    policy.holding(false, 0);
    assertThat(policy.due(5_000, 5_000_000, 60_000)).isFalse();
    assertThat(policy.idle(true)).isFalse();
    assertThat(policy.nextCallInMs(60_000)).isEqualTo(-1);
  }

  @Test
  void anEmptyPollCommitsWhateverIsHeld() {
    policy.holding(true, 0);
    assertThat(policy.idle(false)).as("records arrived").isFalse();
    assertThat(policy.idle(true)).as("the poll came back empty").isTrue();
    assertThat(new FlushPolicy(1_000, 1_000_000, 10_000, 0).idle(true))
        .as("idle commits off")
        .isFalse();
  }

  @Test
  void connectIsAskedToCallBackByTheIdleTimeOrTheIntervalsEnd() {
    policy.holding(true, 1_000);
    assertThat(policy.nextCallInMs(1_000)).isEqualTo(200);
    assertThat(policy.nextCallInMs(10_900)).as("the interval ends first").isEqualTo(100);
    assertThat(policy.nextCallInMs(20_000)).as("overdue: at once").isEqualTo(1);
    FlushPolicy noIdle = new FlushPolicy(1_000, 1_000_000, 10_000, 0);
    noIdle.holding(true, 1_000);
    assertThat(noIdle.nextCallInMs(4_000)).isEqualTo(7_000);
  }

  @Test
  void theIntervalStartsAgainAfterACommitForWhatIsStillHeld() {
    policy.holding(true, 0);
    policy.holding(true, 9_000); // still the first record's interval
    assertThat(policy.due(1, 1, 10_000)).isTrue();
    policy.committed(true, 10_000);
    assertThat(policy.due(1, 1, 19_999)).isFalse();
    assertThat(policy.due(1, 1, 20_000)).isTrue();
    policy.committed(false, 20_000);
    assertThat(policy.due(1, 1, 99_000)).isFalse();
  }
}
