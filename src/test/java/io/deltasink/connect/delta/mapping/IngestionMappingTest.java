package io.deltasink.connect.delta.mapping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IngestionMappingTest {
  static final String LEGACY =
      "[{\"column\":\"latitude\",\"path\":\"$.latitude\",\"datatype\":\"decimal\"},"
          + "{\"column\":\"longitude\",\"path\":\"$.longitude\",\"datatype\":\"decimal\"},"
          + "{\"column\":\"time\",\"path\":\"$.time\",\"datatype\":\"string\"},"
          + "{\"column\":\"temperature_2m\",\"path\":\"$.temperature_2m\",\"datatype\":\"decimal\"}]";

  @Test
  void readsTheLegacyFlatForm() {
    IngestionMapping m = IngestionMapping.parse("temperatures_mapping", LEGACY);
    assertThat(m.columns())
        .extracting(ColumnMapping::column)
        .containsExactly("latitude", "longitude", "time", "temperature_2m");
    assertThat(m.columns().get(0).dataType()).isEqualTo(KustoDataType.DECIMAL);
    assertThat(m.columns().get(2).path().toString()).isEqualTo("$.time");
  }

  @Test
  void readsTheCurrentFormWithPropertiesAndAnyKeyCase() {
    String json =
        "[{\"Column\":\"ts\",\"Properties\":{\"Path\":\"$.epoch\",\"Transform\":\"DateTimeFromUnixSeconds\"},\"DataType\":\"datetime\"},"
            + "{\"COLUMN\":\"src\",\"Properties\":{\"transform\":\"SourceLocation\"}},"
            + "{\"column\":\"env\",\"properties\":{\"ConstValue\":\"prod\"},\"datatype\":\"string\"}]";
    IngestionMapping m = IngestionMapping.parse("m", json);
    assertThat(m.columns())
        .containsExactly(
            new ColumnMapping(
                "ts",
                m.columns().get(0).path(),
                KustoDataType.DATETIME,
                Transform.DATETIME_FROM_UNIX_SECONDS,
                null),
            new ColumnMapping("src", null, null, Transform.SOURCE_LOCATION, null),
            new ColumnMapping("env", null, KustoDataType.STRING, Transform.NONE, "prod"));
  }

  @Test
  void readsAPastedCreateCommand() {
    String command =
        ".create table ['temperatures'] ingestion json mapping 'temperatures_mapping'\n '"
            + LEGACY
            + "'";
    IngestionMapping m = IngestionMapping.parse("ignored", command);
    assertThat(m.name()).isEqualTo("temperatures_mapping");
    assertThat(m.table()).isEqualTo("temperatures");
    assertThat(m.columns()).hasSize(4);
    IngestionMapping alter =
        IngestionMapping.parse(
            "x",
            ".create-or-alter table T ingestion json mapping \"n\" '"
                + LEGACY
                + "' with (removeOldestIfRequired=true)");
    assertThat(alter.name()).isEqualTo("n");
    assertThat(alter.columns()).hasSize(4);
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "[]                                                         | must be a non-empty JSON array",
        "{\"column\":\"a\"}                                           | must be a non-empty JSON array",
        "[{\"path\":\"$.a\"}]                                        | entry 0 has no \"column\"",
        "[{\"column\":\"a\"}]                                         | column 'a': needs a \"path\"",
        "[{\"column\":\"a\",\"path\":\"$.a\",\"datatype\":\"number\"}]   | column 'a': unknown Kusto data type 'number'",
        "[{\"column\":\"a\",\"path\":\"$.a\",\"transform\":\"Upper\"}]   | column 'a': unknown transform 'Upper'",
        "[{\"column\":\"a\",\"path\":\"$..a\"}]                       | column 'a': invalid JSON path '$..a' at position 1",
        "[{\"column\":\"a\",\"path\":\"$.a\"},{\"column\":\"a\",\"path\":\"$.b\"}] | maps column 'a' twice",
        "[{\"column\":\"a\",\"path\":\"$.a\",\"datatype\":\"int\",\"transform\":\"DateTimeFromUnixSeconds\"}] | produces a datetime",
        "[{\"column\":\"a\",                                          | is not valid JSON",
        ".create table T ingestion csv mapping 'm' '[]'              | cannot read the mapping command"
      })
  void rejectsBadMappingsSayingWhy(String text, String message) {
    assertThatThrownBy(() -> IngestionMapping.parse("m", text.trim()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message.trim());
  }

  @Test
  void dataTypeAliases() {
    assertThat(
            List.of(
                "bool",
                "Boolean",
                "int32",
                "int64",
                "double",
                "date",
                "time",
                "uuid",
                "uniqueid",
                "DYNAMIC"))
        .extracting(KustoDataType::parse)
        .containsExactly(
            KustoDataType.BOOL,
            KustoDataType.BOOL,
            KustoDataType.INT,
            KustoDataType.LONG,
            KustoDataType.REAL,
            KustoDataType.DATETIME,
            KustoDataType.TIMESPAN,
            KustoDataType.GUID,
            KustoDataType.GUID,
            KustoDataType.DYNAMIC);
  }
}
