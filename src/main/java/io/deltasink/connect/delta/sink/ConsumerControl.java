package io.deltasink.connect.delta.sink;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkTaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that steers the task's consumer through {@link SinkTaskContext}: rewinds ({@code
 * offset}), pause and resume, the next poll's timeout, and the dead-letter reporter.
 *
 * <p>It knows which partitions the task owns, so nothing is asked for a partition that {@code
 * close()} is handing back (Connect would seek or pause a partition the consumer no longer has and
 * fail the task with {@link IllegalStateException}).
 *
 * <p>It also knows when a rewind has taken effect. {@code WorkerSinkTask} seeks before its next
 * poll, so the batch after the one that asked for the rewind holds only records from the new
 * position, except after a {@link org.apache.kafka.connect.errors.RetriableException} from {@code
 * put}: then the same batch (records from before the seek) is delivered again first.
 */
final class ConsumerControl {
  private static final Logger LOG = LoggerFactory.getLogger(ConsumerControl.class);

  private final SinkTaskContext context;
  private final Set<TopicPartition> owned = new HashSet<>();

  /** The delivery a rewind was asked in, per partition. */
  private final Map<TopicPartition, Long> rewoundIn = new HashMap<>();

  /** Counts the batches {@code put} receives; a redelivered batch keeps its number. */
  private long delivery;

  private boolean redeliveryNext;
  private ErrantRecordReporter reporter;
  private boolean reporterLooked;

  ConsumerControl(SinkTaskContext context) {
    this.context = context;
  }

  /** Connect assigned {@code tps} to the task ({@code open}). */
  void assigned(Collection<TopicPartition> tps) {
    owned.addAll(tps);
    tps.forEach(rewoundIn::remove);
  }

  /** The task is giving {@code tps} back ({@code close}): from now on nothing is asked for them. */
  void revoked(Collection<TopicPartition> tps) {
    owned.removeAll(tps);
    tps.forEach(rewoundIn::remove);
  }

  /** A batch arrives in {@code put}. */
  void delivery() {
    if (!redeliveryNext) {
      delivery++;
    }
    redeliveryNext = false;
  }

  /** {@code put} threw a retriable error: Connect delivers the same batch again next. */
  void redeliveryNext() {
    redeliveryNext = true;
  }

  /**
   * Asks Connect to resume {@code tp} at {@code offset} before its next poll; ignored for a
   * partition not owned.
   */
  void rewind(TopicPartition tp, long offset) {
    if (!owned.contains(tp)) {
      LOG.debug("Not rewinding {} to {}: the task is giving it up", tp, offset);
      return;
    }
    context.offset(tp, offset);
    rewoundIn.put(tp, delivery);
  }

  /**
   * Whether the records of {@code tp} in the current batch come from the position of its last
   * rewind (the batch is a later one than the batch that asked, and not a redelivery of it).
   */
  boolean rewindShown(TopicPartition tp) {
    Long asked = rewoundIn.get(tp);
    return asked == null || delivery > asked;
  }

  void pause(Collection<TopicPartition> tps) {
    TopicPartition[] mine = ownedOf(tps);
    if (mine.length > 0) {
      context.pause(mine);
    }
  }

  void resume(Collection<TopicPartition> tps) {
    TopicPartition[] mine = ownedOf(tps);
    if (mine.length > 0) {
      context.resume(mine);
    }
  }

  private TopicPartition[] ownedOf(Collection<TopicPartition> tps) {
    List<TopicPartition> mine = new ArrayList<>(tps.size());
    for (TopicPartition tp : tps) {
      if (owned.contains(tp)) {
        mine.add(tp);
      }
    }
    return mine.toArray(new TopicPartition[0]);
  }

  /**
   * Caps the consumer's next poll (ms), so that {@code put} is called by then even without records.
   */
  void timeout(long ms) {
    context.timeout(ms);
  }

  /** Asks Connect to commit the consumer offsets soon ({@code preCommit} reports them). */
  void requestCommit() {
    context.requestCommit();
  }

  /** The dead-letter reporter (KIP-610), or null when the connector has no dead-letter topic. */
  ErrantRecordReporter reporter() {
    if (!reporterLooked) {
      reporterLooked = true;
      reporter = context.errantRecordReporter();
    }
    return reporter;
  }
}
