package io.deltasink.connect.delta.writer;

import java.io.IOException;
import java.util.Collection;

/**
 * Takes a data file's partition directory out of storage errors: the directory ({@code
 * col=value/...}) holds partition values, which are record content, and storage errors go to WARN
 * logs and to Connect. The directory, plain or URI-encoded, becomes one {@code col=*} directory per
 * partition column.
 */
final class DirectoryRedaction {
  private final String directory;
  private final String placeholder;

  /**
   * @param relativePath a file's path under the table root (not URI-encoded): partition directory
   *     and file name
   * @param partitionColumns the table's partition columns, in order
   */
  DirectoryRedaction(String relativePath, Collection<String> partitionColumns) {
    this.directory = relativePath.substring(0, relativePath.lastIndexOf('/') + 1);
    StringBuilder sb = new StringBuilder();
    for (String column : partitionColumns) {
      sb.append(TableLayout.escapePathName(column)).append("=*/");
    }
    this.placeholder = sb.toString();
  }

  /** Whether there is a directory to take out (false for an unpartitioned table). */
  boolean redacts() {
    return !directory.isEmpty();
  }

  /**
   * {@code e} with the directory replaced in its message and its causes' (copies, with their stack
   * traces); {@code e} itself when there is no directory.
   */
  IOException apply(IOException e) {
    return redacts() ? (IOException) redacted(e, 0) : e;
  }

  /** {@code text} with the directory replaced; {@code null} stays {@code null}. */
  String apply(String text) {
    return text == null || !redacts()
        ? text
        : text.replace(directory, placeholder)
            .replace(DataFileWriter.encode(directory), placeholder);
  }

  private Throwable redacted(Throwable t, int depth) {
    Throwable cause =
        t.getCause() == null || t.getCause() == t || depth > 8
            ? null
            : redacted(t.getCause(), depth + 1);
    String text = apply(t.getMessage());
    String type = t.getClass() == IOException.class ? "" : t.getClass().getName();
    IOException copy =
        new IOException(
            type.isEmpty() || text == null ? type + (text == null ? "" : text) : type + ": " + text,
            cause);
    copy.setStackTrace(t.getStackTrace());
    return copy;
  }
}
