package io.deltasink.connect.delta.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;

/** An ErrantRecordReporter that keeps what it was given. */
public final class RecordingReporter implements ErrantRecordReporter {
  public final List<SinkRecord> records = new ArrayList<>();
  public final List<Throwable> errors = new ArrayList<>();

  @Override
  public Future<Void> report(SinkRecord record, Throwable error) {
    records.add(record);
    errors.add(error);
    return CompletableFuture.completedFuture(null);
  }
}
