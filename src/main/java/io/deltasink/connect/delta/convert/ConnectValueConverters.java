package io.deltasink.connect.delta.convert;

import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.errors.DataException;

/**
 * Compiles, once per (Connect schema, column type) pair, a {@link ValueConverter} from Connect
 * values to row values. Besides the exact mapping of {@link ConnectSchemas} it accepts the
 * widenings a table may have: integers to wider integers, float to double, a decimal to a decimal
 * of enough precision and at least its scale. Struct fields are matched by name; a table field
 * missing from the record gets null (and must be nullable); a record field missing from the table
 * is an error, since dropping data silently is never what a sink should do.
 */
public final class ConnectValueConverters {
  private static final long MILLIS_PER_DAY = 86_400_000L;

  private ConnectValueConverters() {}

  /**
   * @throws DataException naming {@code path} when the schema cannot be written into {@code
   *     target}; the converter throws one naming {@code path} for a value the column cannot hold (a
   *     Connect Date, Timestamp or Time beyond its int days, long microseconds or int milliseconds)
   */
  public static ValueConverter compile(Schema source, ColumnType target, String path) {
    ColumnType natural = ConnectSchemas.toColumnType(source, path);
    if (target instanceof ColumnType.Struct ts) {
      if (source.type() != Schema.Type.STRUCT) {
        throw mismatch(path, natural, target);
      }
      return struct(source, ts, path, List.of());
    }
    if (target instanceof ColumnType.Array ta) {
      if (!(natural instanceof ColumnType.Array)) {
        throw mismatch(path, natural, target);
      }
      ValueConverter element = compile(source.valueSchema(), ta.element(), path + "[]");
      boolean nullsAllowed = ta.containsNull();
      return v -> {
        List<?> in = (List<?>) v;
        List<Object> out = new ArrayList<>(in.size());
        for (Object e : in) {
          if (e == null && !nullsAllowed) {
            throw new DataException(
                "field '" + path + "': null element in an array that does not allow nulls");
          }
          out.add(e == null ? null : element.convert(e));
        }
        return out;
      };
    }
    if (target instanceof ColumnType.MapType tm) {
      if (!(natural instanceof ColumnType.MapType)) {
        throw mismatch(path, natural, target);
      }
      ValueConverter key = compile(source.keySchema(), tm.key(), path + "{key}");
      ValueConverter value = compile(source.valueSchema(), tm.value(), path + "{value}");
      boolean nullsAllowed = tm.valueContainsNull();
      return v -> {
        Map<?, ?> in = (Map<?, ?>) v;
        Map<Object, Object> out = new LinkedHashMap<>(Math.max(4, in.size() * 2));
        for (Map.Entry<?, ?> e : in.entrySet()) {
          if (e.getKey() == null) {
            throw new DataException("field '" + path + "': null map key");
          }
          if (e.getValue() == null && !nullsAllowed) {
            throw new DataException(
                "field '" + path + "': null map value in a map that does not allow nulls");
          }
          out.put(
              key.convert(e.getKey()), e.getValue() == null ? null : value.convert(e.getValue()));
        }
        return out;
      };
    }
    if (target instanceof ColumnType.Decimal td) {
      if (!(natural instanceof ColumnType.Decimal nd)) {
        throw mismatch(path, natural, target);
      }
      if (nd.scale() > td.scale() || nd.precision() - nd.scale() > td.precision() - td.scale()) {
        throw mismatch(path, natural, target);
      }
      return v -> decimal((BigDecimal) v, td, path);
    }
    return primitive(source, natural, (ColumnType.Primitive) target, path);
  }

  /**
   * A converter for a top-level Struct into a row of {@code target}; the columns named in {@code
   * reserved} are left null for the caller to fill (Kafka coordinate columns).
   */
  public static ValueConverter struct(
      Schema source, ColumnType.Struct target, String path, List<String> reserved) {
    for (Field f : source.fields()) {
      if (target.indexOf(f.name()) < 0 || reserved.contains(f.name())) {
        throw new DataException(
            "field '"
                + join(path, f.name())
                + "' is not a column of the table"
                + (reserved.contains(f.name())
                    ? " (the name is taken by a Kafka coordinate column)"
                    : "")
                + "; table columns: "
                + target.fields().stream().map(Column::name).toList());
      }
    }
    int n = target.fields().size();
    Field[] sourceFields = new Field[n];
    ValueConverter[] converters = new ValueConverter[n];
    boolean[] nullable = new boolean[n];
    String[] paths = new String[n];
    for (int i = 0; i < n; i++) {
      Column c = target.fields().get(i);
      paths[i] = join(path, c.name());
      nullable[i] = c.nullable();
      if (reserved.contains(c.name())) {
        nullable[i] = true;
        continue;
      }
      Field f = source.field(c.name());
      if (f == null) {
        if (!c.nullable()) {
          throw new DataException(
              "field '"
                  + paths[i]
                  + "' is a non-null column of the table but the record has no such field");
        }
        continue;
      }
      if (f.schema().isOptional() && !c.nullable()) {
        throw new DataException(
            "field '" + paths[i] + "' is optional in the record but the table column is NOT NULL");
      }
      sourceFields[i] = f;
      converters[i] = compile(f.schema(), c.type(), paths[i]);
    }
    return v -> {
      Struct s = (Struct) v;
      Object[] row = new Object[n];
      for (int i = 0; i < n; i++) {
        Field f = sourceFields[i];
        if (f == null) {
          continue;
        }
        Object x = s.get(f);
        if (x == null) {
          if (!nullable[i]) {
            throw new DataException("field '" + paths[i] + "' is null but the column is NOT NULL");
          }
          continue;
        }
        row[i] = converters[i].convert(x);
      }
      return row;
    };
  }

  private static ValueConverter primitive(
      Schema source, ColumnType natural, ColumnType.Primitive target, String path) {
    if (natural == target) {
      return switch (target) {
        case DATE ->
            v -> {
              long days = Math.floorDiv(((java.util.Date) v).getTime(), MILLIS_PER_DAY);
              if (days != (int) days) {
                throw new DataException(
                    "field '"
                        + path
                        + "': a date out of range for a date column (days since 1970 in an int)");
              }
              return (int) days;
            };
        case TIMESTAMP ->
            v -> {
              try {
                return Math.multiplyExact(((java.util.Date) v).getTime(), 1000L);
              } catch (ArithmeticException e) {
                throw new DataException(
                    "field '"
                        + path
                        + "': a timestamp out of range for a timestamp column "
                        + "(microseconds since 1970 in a long)");
              }
            };
        case INTEGER ->
            Time.isTime(source)
                ? v -> {
                  long millis = ((java.util.Date) v).getTime();
                  if (millis != (int) millis) {
                    throw new DataException(
                        "field '"
                            + path
                            + "': a time out of range for an integer column (milliseconds in an int)");
                  }
                  return (int) millis;
                }
                : v -> v;
        case BINARY -> v -> v instanceof ByteBuffer b ? toBytes(b) : v;
        default -> v -> v;
      };
    }
    if (natural == ColumnType.Primitive.TIMESTAMP && target == ColumnType.Primitive.TIMESTAMP_NTZ) {
      // A timestamp_ntz column of an existing table takes the UTC wall-clock time, as Spark's
      // cast does in a UTC session.
      return primitive(source, natural, ColumnType.Primitive.TIMESTAMP, path);
    }
    if (natural == ColumnType.Primitive.DATE && target == ColumnType.Primitive.TIMESTAMP_NTZ) {
      // A date column widened to timestamp_ntz: midnight of the day.
      return primitive(
          source, ColumnType.Primitive.TIMESTAMP, ColumnType.Primitive.TIMESTAMP, path);
    }
    if (natural instanceof ColumnType.Primitive
        && io.deltasink.connect.delta.schema.TypeWidening.writable(natural, target)) {
      return switch (target) {
        case SHORT -> v -> ((Number) v).shortValue();
        case INTEGER -> v -> ((Number) v).intValue();
        case LONG -> v -> ((Number) v).longValue();
        case DOUBLE -> v -> ((Number) v).doubleValue();
        default -> throw mismatch(path, natural, target);
      };
    }
    throw mismatch(path, natural, target);
  }

  /**
   * A decimal rescaled exactly to the column's scale.
   *
   * @throws DataException if rounding would be needed or the value has more digits than the
   *     precision
   */
  public static BigDecimal decimal(BigDecimal v, ColumnType.Decimal type, String path) {
    BigDecimal scaled;
    try {
      scaled = v.setScale(type.scale(), RoundingMode.UNNECESSARY);
    } catch (ArithmeticException e) {
      throw new DataException(
          "field '"
              + path
              + "': a decimal with "
              + v.scale()
              + " fraction digits has more than "
              + type.scale()
              + ", the scale of "
              + type.deltaName());
    }
    if (scaled.precision() > type.precision()) {
      throw new DataException(
          "field '"
              + path
              + "': a decimal with "
              + (scaled.precision() - scaled.scale())
              + " integer digits is out of range for "
              + type.deltaName());
    }
    return scaled;
  }

  private static byte[] toBytes(ByteBuffer b) {
    ByteBuffer d = b.duplicate();
    byte[] out = new byte[d.remaining()];
    d.get(out);
    return out;
  }

  private static DataException mismatch(String path, ColumnType natural, ColumnType target) {
    return new DataException(
        "field '"
            + path
            + "': record type "
            + describe(natural)
            + " cannot be written to table column type "
            + describe(target));
  }

  private static String describe(ColumnType t) {
    return t.deltaName();
  }

  private static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  /** Detects Connect's Time logical type. */
  private static final class Time {
    static boolean isTime(Schema s) {
      return org.apache.kafka.connect.data.Time.LOGICAL_NAME.equals(s.name());
    }
  }
}
