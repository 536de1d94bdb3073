package io.deltasink.connect.delta.writer;

/**
 * Decides whether a writer may open another Parquet file, given the heap an open file costs. The
 * sink's per-task memory budget implements it ({@code delta.buffer.max.bytes}).
 */
@FunctionalInterface
public interface MemoryGate {
  /** Always yes: no budget. */
  MemoryGate UNLIMITED = bytes -> true;

  /**
   * @param bytes the heap the new file will hold at first ({@link
   *     WriterSettings#openFileOverheadBytes()})
   * @return whether it may be opened now
   */
  boolean mayOpen(long bytes);
}
