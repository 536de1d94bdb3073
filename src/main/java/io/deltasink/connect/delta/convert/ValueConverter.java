package io.deltasink.connect.delta.convert;

/**
 * Converts one non-null value into the in-memory shape of its column type (see {@link
 * io.deltasink.connect.delta.schema.ColumnType}).
 */
@FunctionalInterface
public interface ValueConverter {
  /**
   * @throws org.apache.kafka.connect.errors.DataException naming the field when the value does not
   *     fit
   */
  Object convert(Object value);
}
