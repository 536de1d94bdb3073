package io.deltasink.connect.delta.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.DeltaSinkConnector;
import io.deltasink.connect.delta.testing.FakeAdlsEndpoint;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each ADLS Gen2 authentication method: the Hadoop keys it sets, and what validate() says when a
 * key is missing.
 */
class AzureAuthTest {
  private static final String HOST = "lake.dfs.core.windows.net";
  private static final String LOCATION = "abfss://files@" + HOST + "/delta/temperatures";

  private static Map<String, String> base(String method) {
    Map<String, String> p = new HashMap<>();
    p.put("name", "adls-sink");
    p.put("connector.class", DeltaSinkConnector.class.getName());
    p.put("topics", "temperatures");
    p.put(DeltaSinkConfig.TABLE_LOCATION_CONFIG, LOCATION);
    p.put(AzureAuth.METHOD_CONFIG, method);
    return p;
  }

  static Stream<Arguments> methods() {
    return Stream.of(
        Arguments.of(
            "shared-key",
            Map.of(AzureAuth.ACCOUNT_KEY_CONFIG, "a2V5"),
            Map.of(
                "fs.azure.account.auth.type." + HOST, "SharedKey",
                "fs.azure.account.key." + HOST, "a2V5")),
        Arguments.of(
            "oauth-client-credentials",
            Map.of(
                AzureAuth.TENANT_ID_CONFIG,
                "tenant-1",
                AzureAuth.CLIENT_ID_CONFIG,
                "client-1",
                AzureAuth.CLIENT_SECRET_CONFIG,
                "s3cret"),
            Map.of(
                "fs.azure.account.auth.type." + HOST, "OAuth",
                "fs.azure.account.oauth.provider.type." + HOST,
                    "org.apache.hadoop.fs.azurebfs.oauth2.ClientCredsTokenProvider",
                "fs.azure.account.oauth2.client.endpoint." + HOST,
                    "https://login.microsoftonline.com/tenant-1/oauth2/token",
                "fs.azure.account.oauth2.client.id." + HOST, "client-1",
                "fs.azure.account.oauth2.client.secret." + HOST, "s3cret")),
        Arguments.of(
            "managed-identity",
            Map.of(),
            Map.of(
                "fs.azure.account.auth.type." + HOST, "OAuth",
                "fs.azure.account.oauth.provider.type." + HOST,
                    "org.apache.hadoop.fs.azurebfs.oauth2.MsiTokenProvider")),
        Arguments.of(
            "managed-identity",
            Map.of(AzureAuth.CLIENT_ID_CONFIG, "uami-1"),
            Map.of(
                "fs.azure.account.auth.type." + HOST, "OAuth",
                "fs.azure.account.oauth.provider.type." + HOST,
                    "org.apache.hadoop.fs.azurebfs.oauth2.MsiTokenProvider",
                "fs.azure.account.oauth2.client.id." + HOST, "uami-1")),
        Arguments.of(
            "workload-identity",
            Map.of(
                AzureAuth.TENANT_ID_CONFIG,
                "tenant-1",
                AzureAuth.CLIENT_ID_CONFIG,
                "client-1",
                AzureAuth.TOKEN_FILE_CONFIG,
                "/var/run/secrets/azure/tokens/azure-identity-token"),
            Map.of(
                "fs.azure.account.auth.type." + HOST, "OAuth",
                "fs.azure.account.oauth.provider.type." + HOST,
                    "org.apache.hadoop.fs.azurebfs.oauth2.WorkloadIdentityTokenProvider",
                "fs.azure.account.oauth2.msi.tenant." + HOST, "tenant-1",
                "fs.azure.account.oauth2.client.id." + HOST, "client-1",
                "fs.azure.account.oauth2.token.file." + HOST,
                    "/var/run/secrets/azure/tokens/azure-identity-token")),
        Arguments.of(
            "sas",
            Map.of(AzureAuth.SAS_TOKEN_CONFIG, "?sv=2022-11-02&sig=abc"),
            Map.of(
                "fs.azure.account.auth.type." + HOST, "SAS",
                "fs.azure.sas.fixed.token." + HOST, "sv=2022-11-02&sig=abc")),
        Arguments.of("none", Map.of(), Map.of()));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("methods")
  void eachMethodSetsTheAccountScopedHadoopKeys(
      String method, Map<String, String> extra, Map<String, String> expected) {
    Map<String, String> p = base(method);
    p.putAll(extra);
    assertThat(DeltaSinkConfig.crossFieldErrors(p)).isEmpty();
    assertThat(new DeltaSinkConfig(p).hadoopOverrides())
        .containsExactlyInAnyOrderEntriesOf(expected);
  }

  @Test
  void everyAccountOfARoutedConnectorGetsItsKeysAndPassThroughWins() {
    Map<String, String> p = base("shared-key");
    p.remove(DeltaSinkConfig.TABLE_LOCATION_CONFIG);
    p.put("topics", "a,b");
    p.put(DeltaSinkConfig.TABLES_ROOT_CONFIG, "abfss://files@one.dfs.core.windows.net/delta");
    p.put(
        DeltaSinkConfig.TABLES_ROUTING_CONFIG,
        "[{'topic':'a','db':'w','table':'a','format':'bronze'},"
            + "{'topic':'b','format':'bronze','location':'abfss://files@one.dfs.core.windows.net/delta/w/b'}]");
    p.put(AzureAuth.ACCOUNT_KEY_CONFIG, "a2V5");
    p.put("delta.hadoop.fs.azure.account.key.one.dfs.core.windows.net", "b3ZlcnJpZGU=");
    Map<String, String> h = new DeltaSinkConfig(p).hadoopOverrides();
    assertThat(h)
        .containsEntry("fs.azure.account.auth.type.one.dfs.core.windows.net", "SharedKey")
        .containsEntry("fs.azure.account.key.one.dfs.core.windows.net", "b3ZlcnJpZGU=");
    assertThat(h.keySet()).noneMatch(k -> k.contains(HOST));
  }

  static Stream<Arguments> missing() {
    return Stream.of(
        Arguments.of(
            "shared-key",
            Map.of(),
            AzureAuth.ACCOUNT_KEY_CONFIG,
            "shared-key needs delta.azure.account.key"),
        Arguments.of(
            "oauth-client-credentials",
            Map.of(AzureAuth.TENANT_ID_CONFIG, "t", AzureAuth.CLIENT_ID_CONFIG, "c"),
            AzureAuth.CLIENT_SECRET_CONFIG,
            "oauth-client-credentials needs delta.azure.client.secret"),
        Arguments.of(
            "oauth-client-credentials",
            Map.of(AzureAuth.CLIENT_ID_CONFIG, "c", AzureAuth.CLIENT_SECRET_CONFIG, "s"),
            AzureAuth.TENANT_ID_CONFIG,
            "oauth-client-credentials needs delta.azure.tenant.id"),
        Arguments.of(
            "workload-identity",
            Map.of(AzureAuth.TENANT_ID_CONFIG, "t", AzureAuth.TOKEN_FILE_CONFIG, "/f"),
            AzureAuth.CLIENT_ID_CONFIG,
            "workload-identity needs delta.azure.client.id"),
        Arguments.of(
            "sas", Map.of(), AzureAuth.SAS_TOKEN_CONFIG, "sas needs delta.azure.sas.token"));
  }

  @ParameterizedTest(name = "{0} without {2}")
  @MethodSource("missing")
  void validateNamesTheMissingKey(
      String method, Map<String, String> extra, String key, String message) {
    Map<String, String> p = base(method);
    p.putAll(extra);
    Config validated = new DeltaSinkConnector().validate(p);
    ConfigValue v =
        validated.configValues().stream()
            .filter(c -> c.name().equals(key))
            .findFirst()
            .orElseThrow();
    assertThat(v.errorMessages()).contains(message);
  }

  /**
   * The SAS token reaches the real ABFS driver: every request to the ADLS stand-in carries it
   * (hadoop-azure appends a fixed token to the query). A provider class of its own would have to be
   * instantiable by reflection, which hadoop-azure's {@code FixedSASTokenProvider} is not.
   */
  @Test
  void aSasTokenReachesTheAbfsDriver() throws Exception {
    try (FakeAdlsEndpoint adls = new FakeAdlsEndpoint()) {
      Map<String, String> p = base("sas");
      p.put(DeltaSinkConfig.TABLE_LOCATION_CONFIG, "abfs://sas@" + HOST + "/delta/temperatures");
      p.put(AzureAuth.SAS_TOKEN_CONFIG, "?sv=2024-11-04&sr=c&sp=racwdl&sig=fixed-token-signature");
      p.put("delta.hadoop.fs.azure.abfs.endpoint", adls.endpoint());
      p.put("delta.hadoop.fs.azure.always.use.https", "false");
      Configuration conf = HadoopConf.build(new DeltaSinkConfig(p).hadoopOverrides());
      Path table = new Path("abfs://sas@" + HOST + "/delta/temperatures");
      try (FileSystem fs = FileSystem.newInstance(table.toUri(), conf)) {
        assertThat(fs.mkdirs(table)).isTrue();
        assertThat(fs.listStatus(table)).isEmpty();
      }
      assertThat(adls.requests)
          .isNotEmpty()
          .allMatch(r -> r.contains("sig=fixed-token-signature"), "carries the SAS");
    }
  }

  @Test
  void aMethodWithoutAnyAbfssLocationIsReported() {
    Map<String, String> p = base("managed-identity");
    p.put(DeltaSinkConfig.TABLE_LOCATION_CONFIG, "file:///data/delta/t");
    assertThat(DeltaSinkConfig.crossFieldErrors(p))
        .containsEntry(
            AzureAuth.METHOD_CONFIG,
            "managed-identity authenticates to ADLS Gen2, but no table location is an abfss:// URI");
  }

  @Test
  void secretsArePasswordsAndHiddenWhenTheConfigIsPrinted() {
    Map<String, String> p = base("oauth-client-credentials");
    p.putAll(
        Map.of(
            AzureAuth.TENANT_ID_CONFIG,
            "t",
            AzureAuth.CLIENT_ID_CONFIG,
            "c",
            AzureAuth.CLIENT_SECRET_CONFIG,
            "very-secret-value",
            AzureAuth.ACCOUNT_KEY_CONFIG,
            "account-key-value",
            AzureAuth.SAS_TOKEN_CONFIG,
            "sas-token-value"));
    DeltaSinkConfig c = new DeltaSinkConfig(p);
    for (String key :
        List.of(
            AzureAuth.CLIENT_SECRET_CONFIG,
            AzureAuth.ACCOUNT_KEY_CONFIG,
            AzureAuth.SAS_TOKEN_CONFIG)) {
      assertThat(DeltaSinkConfig.CONFIG_DEF.configKeys().get(key).type)
          .isEqualTo(org.apache.kafka.common.config.ConfigDef.Type.PASSWORD);
    }
    assertThat(c.values().toString())
        .doesNotContain("very-secret-value", "account-key-value", "sas-token-value");
  }
}
