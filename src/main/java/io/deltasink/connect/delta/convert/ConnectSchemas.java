package io.deltasink.connect.delta.convert;

import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.connect.data.Date;
import org.apache.kafka.connect.data.Decimal;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Time;
import org.apache.kafka.connect.data.Timestamp;
import org.apache.kafka.connect.errors.DataException;

/**
 * Maps Connect schemas to Delta column types.
 *
 * <table>
 *   <caption>Connect to Delta</caption>
 *   <tr><th>Connect</th><th>Delta</th></tr>
 *   <tr><td>INT8 / INT16 / INT32 / INT64</td><td>byte / short / integer / long</td></tr>
 *   <tr><td>FLOAT32 / FLOAT64</td><td>float / double</td></tr>
 *   <tr><td>BOOLEAN / STRING / BYTES</td><td>boolean / string / binary</td></tr>
 *   <tr><td>Decimal (scale s, {@code connect.decimal.precision} p, default 38)</td><td>decimal(p,s)</td></tr>
 *   <tr><td>Date</td><td>date</td></tr>
 *   <tr><td>Timestamp</td><td>timestamp (INT64 microseconds, UTC)</td></tr>
 *   <tr><td>Time</td><td>integer: milliseconds since midnight (Delta has no time type; this keeps
 *       Connect's own value, lossless)</td></tr>
 *   <tr><td>STRUCT / ARRAY / MAP</td><td>struct / array / map, recursively</td></tr>
 * </table>
 *
 * Optional schemas give nullable columns, required schemas non-nullable ones.
 */
public final class ConnectSchemas {
  /** Schema parameter Confluent's converters use for a decimal's precision. */
  public static final String DECIMAL_PRECISION = "connect.decimal.precision";

  private ConnectSchemas() {}

  /**
   * The table columns for a record value schema, which must be a STRUCT.
   *
   * @throws DataException naming the field when a type cannot be represented
   */
  public static ColumnType.Struct toStruct(Schema valueSchema) {
    if (valueSchema == null || valueSchema.type() != Schema.Type.STRUCT) {
      throw new DataException(
          "record value must be a Struct with a schema, got "
              + (valueSchema == null ? "no schema" : valueSchema.type().toString()));
    }
    return (ColumnType.Struct) toColumnType(valueSchema, "");
  }

  static ColumnType toColumnType(Schema schema, String path) {
    String logical = schema.name();
    if (logical != null) {
      switch (logical) {
        case Decimal.LOGICAL_NAME:
          {
            int scale = Integer.parseInt(schema.parameters().get(Decimal.SCALE_FIELD));
            String p = schema.parameters().get(DECIMAL_PRECISION);
            int precision = p == null ? ColumnType.Decimal.MAX_PRECISION : Integer.parseInt(p);
            if (precision > ColumnType.Decimal.MAX_PRECISION || scale > precision || scale < 0) {
              throw new DataException(
                  "field '"
                      + path
                      + "': decimal("
                      + precision
                      + ","
                      + scale
                      + ") does not fit Delta's decimal (precision at most 38, 0 <= scale <= precision)");
            }
            return new ColumnType.Decimal(precision, scale);
          }
        case Date.LOGICAL_NAME:
          return ColumnType.Primitive.DATE;
        case Timestamp.LOGICAL_NAME:
          return ColumnType.Primitive.TIMESTAMP;
        case Time.LOGICAL_NAME:
          return ColumnType.Primitive.INTEGER;
        default:
          break;
      }
    }
    switch (schema.type()) {
      case INT8:
        return ColumnType.Primitive.BYTE;
      case INT16:
        return ColumnType.Primitive.SHORT;
      case INT32:
        return ColumnType.Primitive.INTEGER;
      case INT64:
        return ColumnType.Primitive.LONG;
      case FLOAT32:
        return ColumnType.Primitive.FLOAT;
      case FLOAT64:
        return ColumnType.Primitive.DOUBLE;
      case BOOLEAN:
        return ColumnType.Primitive.BOOLEAN;
      case STRING:
        return ColumnType.Primitive.STRING;
      case BYTES:
        return ColumnType.Primitive.BINARY;
      case ARRAY:
        return new ColumnType.Array(
            toColumnType(schema.valueSchema(), path + "[]"), schema.valueSchema().isOptional());
      case MAP:
        return new ColumnType.MapType(
            toColumnType(schema.keySchema(), path + "{key}"),
            toColumnType(schema.valueSchema(), path + "{value}"),
            schema.valueSchema().isOptional());
      case STRUCT:
        {
          if (schema.fields().isEmpty()) {
            throw new DataException(
                "field '" + path + "': a struct with no fields cannot be stored in Parquet");
          }
          List<Column> columns = new ArrayList<>(schema.fields().size());
          for (Field f : schema.fields()) {
            String child = path.isEmpty() ? f.name() : path + "." + f.name();
            columns.add(
                new Column(f.name(), toColumnType(f.schema(), child), f.schema().isOptional()));
          }
          return new ColumnType.Struct(columns);
        }
      default:
        throw new DataException("field '" + path + "': unsupported Connect type " + schema.type());
    }
  }
}
