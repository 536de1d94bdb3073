package io.deltasink.connect.delta.writer;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.schema.Column;
import io.deltasink.connect.delta.schema.ColumnType;
import io.deltasink.connect.delta.schema.ColumnType.Primitive;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.HadoopReadOptions;
import org.apache.parquet.column.page.PageReadStore;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.convert.GroupRecordConverter;
import org.apache.parquet.hadoop.ParquetFileReader;
import org.apache.parquet.hadoop.metadata.CompressionCodecName;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.io.ColumnIOFactory;
import org.apache.parquet.io.RecordReader;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordMaterializer;
import org.apache.parquet.schema.GroupType;
import org.apache.parquet.schema.MessageType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DetachedGroupsTest {
  private static final ColumnType.Struct SCHEMA =
      new ColumnType.Struct(
          List.of(
              new Column("city", Primitive.STRING, true),
              new Column("id", Primitive.STRING, true),
              new Column("temp", new ColumnType.Decimal(38, 18), true),
              new Column("n", Primitive.LONG, true),
              new Column(
                  "point",
                  new ColumnType.Struct(List.of(new Column("label", Primitive.STRING, true))),
                  true),
              new Column("tags", new ColumnType.Array(Primitive.STRING, true), true)));

  private final Configuration conf = HadoopConf.build(Map.of());

  @TempDir Path dir;

  /**
   * Dictionary-encoded values ({@code city}, repeated) and plain ones ({@code id}, past the small
   * dictionary limit), at the top level and nested.
   */
  private org.apache.hadoop.fs.Path file() throws Exception {
    org.apache.hadoop.fs.Path root = new org.apache.hadoop.fs.Path(dir.toUri());
    TopicPartitionWriter w =
        new TopicPartitionWriter(
            conf,
            new TableLayout(root, SCHEMA, List.of()),
            new WriterSettings(CompressionCodecName.SNAPPY, 1L << 30, 1 << 20, 8 * 1024, 1024),
            "part-t-0");
    for (long i = 0; i < 3_000; i++) {
      w.write(
          new Object[] {
            i % 3 == 0 ? null : "city" + (i % 5),
            "id-" + i,
            new BigDecimal(i).movePointLeft(3),
            i,
            new Object[] {"p" + (i % 7)},
            List.of("t" + i, "u")
          },
          i);
    }
    return new org.apache.hadoop.fs.Path(root, w.finishFiles().get(0).path());
  }

  @Test
  void everyBinaryOwnsExactlyItsBytesAndTheRowsAreParquetsOwn() throws Exception {
    org.apache.hadoop.fs.Path file = file();
    List<Group> parquets = read(file, GroupRecordConverter::new);
    List<Group> detached = read(file, DetachedGroups::new);

    assertThat(detached).hasSize(3_000);
    assertThat(detached.stream().map(Group::toString).toList())
        .isEqualTo(parquets.stream().map(Group::toString).toList());
    List<Binary> binaries = new ArrayList<>();
    detached.forEach(g -> collectBinaries(g, binaries));
    assertThat(binaries)
        .hasSizeGreaterThan(3 * 3_000)
        .allSatisfy(b -> assertThat(owned(b)).isTrue());

    // Why the class exists: Parquet's own converter hands out views of the page.
    List<Binary> views = new ArrayList<>();
    parquets.forEach(g -> collectBinaries(g, views));
    assertThat(views).anySatisfy(b -> assertThat(owned(b)).isFalse());
  }

  /** Whether the binary is backed by an array of exactly its length: no page behind it. */
  private static boolean owned(Binary b) {
    ByteBuffer buffer = b.toByteBuffer();
    return buffer.hasArray()
        && buffer.arrayOffset() + buffer.position() == 0
        && buffer.array().length == b.length();
  }

  private static void collectBinaries(Group g, List<Binary> out) {
    GroupType type = g.getType();
    for (int f = 0; f < type.getFieldCount(); f++) {
      for (int r = 0; r < g.getFieldRepetitionCount(f); r++) {
        if (!type.getType(f).isPrimitive()) {
          collectBinaries(g.getGroup(f, r), out);
        } else if (type.getType(f).asPrimitiveType().getPrimitiveTypeName()
            != org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName.INT64) {
          out.add(g.getBinary(f, r));
        }
      }
    }
  }

  private List<Group> read(
      org.apache.hadoop.fs.Path file,
      java.util.function.Function<MessageType, RecordMaterializer<Group>> materializer)
      throws Exception {
    List<Group> rows = new ArrayList<>();
    try (ParquetFileReader reader =
        ParquetFileReader.open(
            HadoopInputFile.fromPath(file, conf), HadoopReadOptions.builder(conf, file).build())) {
      MessageType schema = reader.getFooter().getFileMetaData().getSchema();
      PageReadStore rowGroup;
      while ((rowGroup = reader.readNextRowGroup()) != null) {
        RecordReader<Group> records =
            new ColumnIOFactory()
                .getColumnIO(schema)
                .getRecordReader(rowGroup, materializer.apply(schema));
        for (long r = rowGroup.getRowCount(); r > 0; r--) {
          rows.add(records.read());
        }
      }
    }
    return rows;
  }
}
