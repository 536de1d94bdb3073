package io.deltasink.connect.delta.table.standalone;

import java.util.ConcurrentModificationException;
import java.util.List;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;

/**
 * What Delta Standalone's failures mean to the sink: an unsupported table protocol is fatal with a
 * message that says what to do; storage errors and checkpoints that cannot be read (yet) are
 * retriable; a concurrent commit is left to the caller's conflict handling.
 */
final class StandaloneErrors {
  /**
   * Delta Standalone's refusal of a table protocol it cannot write (a Scala class, loaded by name).
   */
  private static final Class<?> INVALID_PROTOCOL =
      classOrNull(
          "io.delta.standalone.internal.exception.DeltaErrors$InvalidProtocolVersionException");

  private StandaloneErrors() {}

  private static Class<?> classOrNull(String name) {
    try {
      return Class.forName(name, false, StandaloneErrors.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      return null;
    }
  }

  /**
   * Runs a Standalone call on the table at {@code location}, turning an unsupported table protocol
   * into a {@link ConnectException} that says what to do, and storage failures and checkpoints that
   * cannot be read (see {@link #readingParquet}) into {@link RetriableException}.
   */
  static <T> T guard(String location, java.util.function.Supplier<T> call) {
    try {
      return call.get();
    } catch (ConcurrentModificationException | ConnectException e) {
      throw e;
    } catch (Exception e) {
      // Standalone is Scala: it throws checked IOExceptions without declaring them.
      if (INVALID_PROTOCOL != null && INVALID_PROTOCOL.isInstance(e)) {
        throw new io.deltasink.connect.delta.table.NewerProtocolException(
            "Delta table "
                + location
                + " needs a newer Delta protocol than Delta Standalone writes (reader version 1,"
                + " writer version 2)",
            e);
      }
      if (readingParquet(e)) {
        throw new RetriableException(
            "A checkpoint of Delta table "
                + location
                + " cannot be read (being written in "
                + "place by another writer, torn by a crash, or damaged); the sink retries: "
                + e.getMessage(),
            e);
      }
      if (e instanceof java.io.IOException
          || e.getCause() instanceof java.io.IOException
          || e instanceof java.io.UncheckedIOException) {
        throw new RetriableException(
            "Storage error on Delta table " + location + ": " + e.getMessage(), e);
      }
      if (e instanceof RuntimeException re) {
        throw re;
      }
      throw new ConnectException("Delta table " + location + ": " + e.getMessage(), e);
    }
  }

  /**
   * Classes of Parquet's reader, under any relocation prefix (Standalone's is {@code shadedelta.}).
   */
  private static final List<String> PARQUET_READERS =
      List.of(
          "org.apache.parquet.hadoop.ParquetFileReader", "org.apache.parquet.hadoop.ParquetReader");

  /**
   * Whether {@code e}, or an exception in its cause chain, was raised inside Parquet's reader. The
   * only Parquet files Delta Standalone reads are checkpoints of the log ({@code
   * Checkpoints.scala}, {@code SnapshotImpl.loadInMemory}), and a checkpoint that is incomplete
   * fails there with a plain {@code RuntimeException} ("... is not a Parquet file. Expected magic
   * number at tail ...") or with an exception of Standalone's relocated Parquet: neither is a type
   * this connector can name, so the reader's frames on the stack identify it. Walks at most 16
   * causes.
   */
  private static boolean readingParquet(Throwable e) {
    Throwable t = e;
    for (int depth = 0;
        t != null && depth < 16;
        depth++, t = t.getCause() == t ? null : t.getCause()) {
      for (StackTraceElement frame : t.getStackTrace()) {
        for (String reader : PARQUET_READERS) {
          if (frame.getClassName().endsWith(reader)) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
