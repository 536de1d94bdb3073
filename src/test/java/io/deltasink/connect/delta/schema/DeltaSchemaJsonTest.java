package io.deltasink.connect.delta.schema;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The protocol's schema JSON, with the column mapping's field metadata (PROTOCOL.md). */
class DeltaSchemaJsonTest {

  @Test
  void columnMappingPhysicalNamesAndIdsAreReadAndWrittenBack() {
    String json =
        "{\"type\":\"struct\",\"fields\":[{\"name\":\"city\",\"type\":\"string\",\"nullable\":true,"
            + "\"metadata\":{\"delta.columnMapping.id\":1,"
            + "\"delta.columnMapping.physicalName\":\"col-a1\"}},"
            + "{\"name\":\"where\",\"type\":{\"type\":\"struct\",\"fields\":[{\"name\":\"lat\","
            + "\"type\":\"double\",\"nullable\":false,\"metadata\":{\"delta.columnMapping.id\":3,"
            + "\"delta.columnMapping.physicalName\":\"col-c3\"}}]},\"nullable\":true,"
            + "\"metadata\":{\"delta.columnMapping.id\":2,"
            + "\"delta.columnMapping.physicalName\":\"col-b2\",\"comment\":\"dropped\"}}]}";
    ColumnType.Struct schema = DeltaSchemaJson.fromJson(json);
    Column city = schema.field("city");
    assertThat(city.physicalName()).isEqualTo("col-a1");
    assertThat(city.fieldId()).isEqualTo(1);
    Column lat = ((ColumnType.Struct) schema.field("where").type()).field("lat");
    assertThat(lat.physicalName()).isEqualTo("col-c3");
    assertThat(lat.fieldId()).isEqualTo(3);
    assertThat(DeltaSchemaJson.fromJson(DeltaSchemaJson.toJson(schema))).isEqualTo(schema);
  }

  @Test
  void withoutColumnMappingThePhysicalNameIsTheNameAndNoMetadataIsWritten() {
    ColumnType.Struct schema =
        new ColumnType.Struct(List.of(new Column("seq", ColumnType.Primitive.LONG, false)));
    assertThat(schema.field("seq").physicalName()).isEqualTo("seq");
    assertThat(schema.field("seq").fieldId()).isEqualTo(-1);
    assertThat(DeltaSchemaJson.toJson(schema))
        .isEqualTo(
            "{\"type\":\"struct\",\"fields\":[{\"name\":\"seq\",\"type\":\"long\","
                + "\"nullable\":false,\"metadata\":{}}]}");
  }
}
