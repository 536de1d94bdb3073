package io.deltasink.connect.delta.table;

import io.deltasink.connect.delta.writer.FileRewriter;
import io.deltasink.connect.delta.writer.KeyPruning;
import io.deltasink.connect.delta.writer.RowKeys;
import io.deltasink.connect.delta.writer.WrittenFile;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The copy-on-write part of one upsert commit (issue #17), shared by the Delta backends: which live
 * files may hold a key of the batch (from partition values and {@code add} statistics, {@link
 * KeyPruning}), and those files rewritten without the batch's keys, so that the commit can {@code
 * remove} them (with {@code dataChange=true}) and {@code add} the rewritten ones next to the
 * batch's rows (PROTOCOL.md, "Add File and Remove File").
 *
 * <p>Conflicts, as Delta's for a write that read the files matching a predicate: the rewrite holds
 * only for the table version it was made on when the files that may hold a key are the same at the
 * version the commit follows; another writer that removed one of them, or added a file that may
 * hold a key, changes that set. A backend therefore calls {@link #prepare} on the live files of the
 * exact version its commit follows, every time: an unchanged set costs a comparison, a changed one
 * a new rewrite (the earlier outputs are deleted, unless an attempt with them has an unknown
 * outcome). Not thread-safe: a backend calls it under its commit lock.
 */
public final class Upsert {

  /** Reads and writes the table's data files for the rewrite. */
  public interface Rewriter {
    /**
     * {@code file} without the rows of {@code keys}, see {@link FileRewriter#without}.
     *
     * @throws IOException when reading or writing fails
     */
    FileRewriter.Result without(WrittenFile file, KeyPruning pruning, Collection<RowKeys.Key> keys)
        throws IOException;

    /** Deletes a file a rewrite wrote that no commit references. */
    void delete(WrittenFile file);
  }

  private final List<String> keyColumns;
  private final Collection<RowKeys.Key> keys;
  private final Rewriter rewriter;
  private Set<String> candidates;
  private final List<WrittenFile> removes = new ArrayList<>();
  private final List<WrittenFile> adds = new ArrayList<>();
  private long bytesRead;
  private long bytesWritten;
  private long rowsRemoved;
  private boolean keepOutputs;

  /**
   * @param keyColumns the key columns, top-level columns of the table
   * @param keys the batch's keys (upserted and deleted), values in {@code keyColumns} order and
   *     normalized as {@link RowKeys#keyOf} makes them
   */
  public Upsert(List<String> keyColumns, Collection<RowKeys.Key> keys, Rewriter rewriter) {
    this.keyColumns = List.copyOf(keyColumns);
    this.keys = keys;
    this.rewriter = rewriter;
  }

  /** The key columns. */
  public List<String> keyColumns() {
    return keyColumns;
  }

  /**
   * Makes {@link #removes} and {@link #adds} right for a commit that follows the table version
   * whose live data files are {@code live} and whose state is {@code state}: the files that may
   * hold a key are rewritten unless they are the ones of the last call.
   *
   * @throws IOException when a file cannot be read or written (nothing of this call is kept)
   * @throws org.apache.kafka.connect.errors.ConnectException when no retry can help: a key column
   *     is not in the table, or a file's partition values cannot be compared with the keys
   */
  public void prepare(TableState state, Iterable<WrittenFile> live) throws IOException {
    KeyPruning pruning;
    try {
      pruning =
          new KeyPruning(
              state.schema(), state.partitionColumns(), new RowKeys(state.schema(), keyColumns));
    } catch (IllegalArgumentException e) {
      throw new org.apache.kafka.connect.errors.ConnectException(
          "Cannot upsert into the table: " + e.getMessage(), e);
    }
    List<WrittenFile> mayHold = new ArrayList<>();
    Set<String> paths = new HashSet<>();
    for (WrittenFile f : live) {
      if (pruning.mayHold(f, keys)) {
        mayHold.add(f);
        paths.add(f.path());
      }
    }
    if (paths.equals(candidates)) {
      return;
    }
    discard();
    candidates = null;
    try {
      for (WrittenFile f : mayHold) {
        FileRewriter.Result r = rewriter.without(f, pruning, keys);
        if (r == null) {
          continue; // none of the keys' rows is in it
        }
        removes.add(f);
        bytesRead += f.sizeBytes();
        rowsRemoved += r.removed();
        if (r.file() != null) {
          adds.add(r.file());
          bytesWritten += r.file().sizeBytes();
        }
      }
    } catch (IllegalStateException e) {
      discard();
      // A partition value that cannot be compared with the keys: no retry can change that.
      throw new org.apache.kafka.connect.errors.ConnectException(
          "Cannot upsert by " + keyColumns + ": " + e.getMessage(), e);
    } catch (IOException | RuntimeException e) {
      discard();
      throw e;
    }
    candidates = paths;
  }

  /**
   * {@link #prepare}, with a failure to read or write a file as a {@link
   * org.apache.kafka.connect.errors.RetriableException} naming the table ({@code location}).
   */
  public void prepareOrRetry(String location, TableState state, Iterable<WrittenFile> live) {
    try {
      prepare(state, live);
    } catch (IOException e) {
      throw new org.apache.kafka.connect.errors.RetriableException(
          "Rewriting the files of " + location + " that hold the batch's keys: " + e.getMessage(),
          e);
    }
  }

  /** The files to {@code remove}: those holding a row of a key. */
  public List<WrittenFile> removes() {
    return List.copyOf(removes);
  }

  /** Those files rewritten without the keys' rows (a file left empty has none). */
  public List<WrittenFile> adds() {
    return List.copyOf(adds);
  }

  /** Bytes of the files removed, which the rewrite read. */
  public long bytesRead() {
    return bytesRead;
  }

  /** Bytes of the rewritten files. */
  public long bytesWritten() {
    return bytesWritten;
  }

  /** Rows of the table the batch replaces or deletes. */
  public long rowsRemoved() {
    return rowsRemoved;
  }

  /**
   * A commit with the current outputs is about to be written: from now on they may be referenced by
   * a version, whatever the write reports (a log store may report its own retried write as a lost
   * race), so they are never deleted. Those no version takes are left to the orphan cleanup of the
   * sink's own files (docs/table-maintenance.md).
   */
  public void attempting() {
    keepOutputs = true;
  }

  /**
   * Drops the current outputs; deletes them unless a commit with them was {@link #attempting
   * attempted}. The next {@link #prepare} rewrites again.
   */
  public void discard() {
    if (!keepOutputs) {
      adds.forEach(rewriter::delete);
    }
    keepOutputs = false;
    adds.clear();
    removes.clear();
    candidates = null;
    bytesRead = 0;
    bytesWritten = 0;
    rowsRemoved = 0;
  }
}
