package io.deltasink.connect.delta.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltasink.connect.delta.convert.KafkaColumns;
import io.deltasink.connect.delta.mapping.IngestionMapping;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TableRoutesTest {
  private static final String ROOT = "file:///lake/delta";
  private static final Map<String, IngestionMapping> MAPPINGS =
      Map.of(
          "temperatures_mapping",
          IngestionMapping.parse(
              "temperatures_mapping",
              "[{\"column\":\"t\",\"path\":\"$.t\",\"datatype\":\"real\"}]"));

  private static final KafkaColumns NO_KAFKA_COLUMNS = new KafkaColumns(List.of());

  private static TableRoutes parse(String json) {
    return TableRoutes.parse(json, ROOT, MAPPINGS, List.of(), NO_KAFKA_COLUMNS);
  }

  @Test
  void readsTheAdxSinkFormWithSingleQuotes() {
    TableRoutes r =
        parse(
            "[{'topic': 'temperatures','db': 'weather', 'table': 'temperatures','format': 'json', "
                + "'mapping':'temperatures_mapping'},{'topic':'clicks','table':'clicks_raw','format':'bronze'}]");
    TableSpec t = r.route("temperatures");
    assertThat(t.location()).isEqualTo("file:///lake/delta/weather/temperatures");
    assertThat(t.format()).isEqualTo(TableFormat.JSON);
    assertThat(t.mapping().name()).isEqualTo("temperatures_mapping");
    TableSpec c = r.route("clicks");
    assertThat(c.location()).isEqualTo("file:///lake/delta/clicks_raw");
    assertThat(c.partitionColumns()).containsExactly("ingestion_date");
    assertThatThrownBy(() -> r.route("other"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "topic 'other' has no entry in delta.tables.topics.mapping and there is no '*' entry");
  }

  @Test
  void doubleQuotesAndTheWildcard() {
    TableRoutes r =
        parse(
            "[{\"topic\":\"a\",\"table\":\"ta\",\"format\":\"struct\",\"partitionBy\":\"day\"},"
                + "{\"topic\":\"*\",\"db\":\"raw\",\"format\":\"bronze\"}]");
    assertThat(r.route("a").partitionColumns()).containsExactly("day");
    assertThat(r.route("orders.v1").location()).isEqualTo("file:///lake/delta/raw/orders.v1");
    assertThat(r.route("orders.v1").name()).isEqualTo("orders.v1");
    assertThatThrownBy(() -> r.route("x..y"))
        .hasMessageContaining("topic name used as table name 'x..y' is not allowed");
  }

  @Test
  void explicitLocationsMustStayInsideTheRoot() {
    assertThat(
            parse("[{'topic':'a','location':'file:///lake/delta/custom/a/'}]")
                .route("a")
                .location())
        .isEqualTo("file:///lake/delta/custom/a");
    assertThat(
            TableRoutes.parse(
                    "[{'topic':'a','location':'abfss://c@acct.dfs.core.windows.net/t'}]",
                    null,
                    MAPPINGS,
                    List.of(),
                    NO_KAFKA_COLUMNS)
                .route("a")
                .location())
        .isEqualTo("abfss://c@acct.dfs.core.windows.net/t");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "file:///lake/delta/../etc/t",
        "file:///lake/other",
        "file:///lake/delta",
        "/lake/delta/t",
        "file:///lake/delta/a/%2e%2e/%2e%2e/x",
        "file:///lake/delta%2F..%2Fx",
        "file://otherhost/lake/delta/t",
        "abfss://c@acct.dfs.core.windows.net/lake/delta/t"
      })
  void locationsOutsideTheRootAreRejected(String location) {
    assertThatThrownBy(() -> parse("[{'topic':'a','location':'" + location + "'}]"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("entry for topic 'a'");
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "[{'topic':'a','db':'..','table':'t'}]            | db '..' is not allowed",
        "[{'topic':'a','table':'../t'}]                   | table '../t' is not allowed",
        "[{'topic':'a','table':'a/b'}]                    | table 'a/b' is not allowed",
        "[{'topic':'a','table':'%2e%2e'}]                 | table '%2e%2e' is not allowed",
        "[{'topic':'a','table':'t','format':'csv'}]       | format 'csv' is not supported",
        "[{'topic':'a','table':'t','format':'json'}]      | has format json but no 'mapping'",
        "[{'topic':'a','table':'t','mapping':'nope'}]     | refers to mapping 'nope', which is not defined",
        "[{'topic':'a','table':'t'},{'topic':'a','table':'u'}] | repeats a topic",
        "[{'table':'t'}]                                   | entry 0 has no 'topic'",
        "[{'topic':'a'}]                                   | has no 'table'",
        "{'topic':'a'}                                     | must be a non-empty array",
        "[{'topic':'a',                                    | not a valid JSON array"
      })
  void rejectsBadEntries(String json, String message) {
    assertThatThrownBy(() -> parse(json))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message.trim());
  }

  @Test
  void withoutARootEveryEntryNeedsALocation() {
    assertThatThrownBy(
            () ->
                TableRoutes.parse(
                    "[{'topic':'a','table':'t'}]", null, MAPPINGS, List.of(), NO_KAFKA_COLUMNS))
        .hasMessageContaining("has no 'location' and delta.tables.root is not set");
  }
}
