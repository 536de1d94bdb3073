package io.deltasink.connect.delta.config;

import java.net.URI;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;
import org.apache.kafka.common.config.types.Password;

/**
 * Authentication to Azure Data Lake Storage Gen2 for {@code abfs://} and {@code abfss://} tables,
 * mapped to the ABFS driver's account-scoped Hadoop keys ({@code
 * fs.azure.*.<account>.dfs.core.windows.net}, hadoop-azure "ABFS" documentation) for the accounts
 * of the configured table locations only. Secrets are {@link Type#PASSWORD}: Connect logs them as
 * {@code [hidden]}, and this connector never writes them to logs, exceptions or the Delta log.
 * {@code delta.hadoop.*} keys are applied after these and may override them.
 */
public final class AzureAuth {
  static final String GROUP = "Azure Data Lake Storage Gen2";
  public static final String METHOD_CONFIG = "delta.azure.auth.method";
  public static final String ACCOUNT_KEY_CONFIG = "delta.azure.account.key";
  public static final String TENANT_ID_CONFIG = "delta.azure.tenant.id";
  public static final String CLIENT_ID_CONFIG = "delta.azure.client.id";
  public static final String CLIENT_SECRET_CONFIG = "delta.azure.client.secret";
  public static final String AUTHORITY_CONFIG = "delta.azure.authority.host";
  public static final String TOKEN_FILE_CONFIG = "delta.azure.token.file";
  public static final String SAS_TOKEN_CONFIG = "delta.azure.sas.token";
  private static final String OAUTH2 = "org.apache.hadoop.fs.azurebfs.oauth2.";

  /** The supported methods. */
  public enum Method {
    NONE,
    SHARED_KEY,
    OAUTH_CLIENT_CREDENTIALS,
    MANAGED_IDENTITY,
    WORKLOAD_IDENTITY,
    SAS;

    static Method parse(String s) {
      return valueOf(s.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    }
  }

  private AzureAuth() {}

  static void define(ConfigDef def) {
    int order = 0;
    def.define(
        METHOD_CONFIG,
        Type.STRING,
        "none",
        ConfigDef.CaseInsensitiveValidString.in(
            "none",
            "shared-key",
            "oauth-client-credentials",
            "managed-identity",
            "workload-identity",
            "sas"),
        Importance.HIGH,
        "How to authenticate to ADLS Gen2 accounts of abfss:// tables: none (configure fs.azure.* yourself through "
            + "delta.hadoop.*), shared-key (delta.azure.account.key), oauth-client-credentials (a service principal: "
            + "tenant, client id, client secret), managed-identity (system-assigned, or user-assigned with "
            + "delta.azure.client.id), workload-identity (AKS: tenant, client id, token file), sas (a fixed SAS token).",
        GROUP,
        ++order,
        Width.MEDIUM,
        "ADLS auth method");
    def.define(
        ACCOUNT_KEY_CONFIG,
        Type.PASSWORD,
        null,
        Importance.HIGH,
        "Storage account access key (shared-key).",
        GROUP,
        ++order,
        Width.LONG,
        "Account key");
    def.define(
        TENANT_ID_CONFIG,
        Type.STRING,
        "",
        Importance.MEDIUM,
        "Microsoft Entra tenant id "
            + "(oauth-client-credentials, workload-identity; optional for managed-identity).",
        GROUP,
        ++order,
        Width.MEDIUM,
        "Tenant id");
    def.define(
        CLIENT_ID_CONFIG,
        Type.STRING,
        "",
        Importance.MEDIUM,
        "Application (client) id of the service principal "
            + "or of a user-assigned managed identity.",
        GROUP,
        ++order,
        Width.MEDIUM,
        "Client id");
    def.define(
        CLIENT_SECRET_CONFIG,
        Type.PASSWORD,
        null,
        Importance.HIGH,
        "Client secret of the service principal " + "(oauth-client-credentials).",
        GROUP,
        ++order,
        Width.LONG,
        "Client secret");
    def.define(
        AUTHORITY_CONFIG,
        Type.STRING,
        "https://login.microsoftonline.com",
        Importance.LOW,
        "Microsoft Entra "
            + "authority host for oauth-client-credentials (sovereign clouds use another).",
        GROUP,
        ++order,
        Width.MEDIUM,
        "Authority host");
    def.define(
        TOKEN_FILE_CONFIG,
        Type.STRING,
        "",
        Importance.MEDIUM,
        "Federated token file for workload-identity; "
            + "default: the AZURE_FEDERATED_TOKEN_FILE environment variable AKS sets.",
        GROUP,
        ++order,
        Width.LONG,
        "Token file");
    def.define(
        SAS_TOKEN_CONFIG,
        Type.PASSWORD,
        null,
        Importance.HIGH,
        "A fixed SAS token (sas), without the leading '?'.",
        GROUP,
        ++order,
        Width.LONG,
        "SAS token");
  }

  /** The {@code <account>.dfs.core.windows.net} hosts of the abfs/abfss locations. */
  public static Set<String> accountHosts(Collection<String> locations) {
    Set<String> hosts = new LinkedHashSet<>();
    for (String l : locations) {
      try {
        URI u = new URI(l);
        if (u.getScheme() != null
            && u.getScheme().toLowerCase(Locale.ROOT).startsWith("abfs")
            && u.getHost() != null) {
          hosts.add(u.getHost());
        }
      } catch (java.net.URISyntaxException e) {
        // reported by the location checks
      }
    }
    return hosts;
  }

  /** Missing keys for the chosen method, keyed by the key that is missing. Empty when complete. */
  static Map<String, String> errors(Map<String, String> props, Set<String> hosts) {
    Map<String, String> errors = new LinkedHashMap<>();
    Method m;
    try {
      m = Method.parse(props.getOrDefault(METHOD_CONFIG, "none"));
    } catch (IllegalArgumentException e) {
      return errors; // the validator reports it
    }
    if (m == Method.NONE) {
      return errors;
    }
    String method = props.get(METHOD_CONFIG).trim();
    if (hosts.isEmpty()) {
      errors.put(
          METHOD_CONFIG,
          method + " authenticates to ADLS Gen2, but no table location is an abfss:// URI");
    }
    switch (m) {
      case SHARED_KEY -> require(props, errors, method, ACCOUNT_KEY_CONFIG);
      case OAUTH_CLIENT_CREDENTIALS ->
          require(props, errors, method, TENANT_ID_CONFIG, CLIENT_ID_CONFIG, CLIENT_SECRET_CONFIG);
      case WORKLOAD_IDENTITY -> {
        require(props, errors, method, TENANT_ID_CONFIG, CLIENT_ID_CONFIG);
        if (blank(props.get(TOKEN_FILE_CONFIG))
            && blank(System.getenv("AZURE_FEDERATED_TOKEN_FILE"))) {
          errors.put(
              TOKEN_FILE_CONFIG,
              "workload-identity needs "
                  + TOKEN_FILE_CONFIG
                  + " (or the AZURE_FEDERATED_TOKEN_FILE environment variable on the worker)");
        }
      }
      case SAS -> require(props, errors, method, SAS_TOKEN_CONFIG);
      default -> {}
    }
    return errors;
  }

  private static void require(
      Map<String, String> props, Map<String, String> errors, String method, String... keys) {
    for (String k : keys) {
      if (blank(props.get(k))) {
        errors.put(k, method + " needs " + k);
      }
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  /**
   * The Hadoop properties for {@code hosts}.
   *
   * @param config the parsed connector config (secrets as {@link Password})
   */
  static Map<String, String> hadoopProperties(DeltaSinkConfig config, Set<String> hosts) {
    Map<String, String> out = new LinkedHashMap<>();
    Method m = Method.parse(config.getString(METHOD_CONFIG));
    for (String host : hosts) {
      switch (m) {
        case SHARED_KEY -> {
          out.put("fs.azure.account.auth.type." + host, "SharedKey");
          out.put("fs.azure.account.key." + host, secret(config, ACCOUNT_KEY_CONFIG));
        }
        case OAUTH_CLIENT_CREDENTIALS -> {
          oauth(out, host, "ClientCredsTokenProvider");
          String authority = config.getString(AUTHORITY_CONFIG).replaceAll("/+$", "");
          out.put(
              "fs.azure.account.oauth2.client.endpoint." + host,
              authority + "/" + config.getString(TENANT_ID_CONFIG).trim() + "/oauth2/token");
          out.put(
              "fs.azure.account.oauth2.client.id." + host,
              config.getString(CLIENT_ID_CONFIG).trim());
          out.put(
              "fs.azure.account.oauth2.client.secret." + host,
              secret(config, CLIENT_SECRET_CONFIG));
        }
        case MANAGED_IDENTITY -> {
          oauth(out, host, "MsiTokenProvider");
          putIfSet(
              out,
              "fs.azure.account.oauth2.msi.tenant." + host,
              config.getString(TENANT_ID_CONFIG));
          putIfSet(
              out, "fs.azure.account.oauth2.client.id." + host, config.getString(CLIENT_ID_CONFIG));
        }
        case WORKLOAD_IDENTITY -> {
          oauth(out, host, "WorkloadIdentityTokenProvider");
          out.put(
              "fs.azure.account.oauth2.msi.tenant." + host,
              config.getString(TENANT_ID_CONFIG).trim());
          out.put(
              "fs.azure.account.oauth2.client.id." + host,
              config.getString(CLIENT_ID_CONFIG).trim());
          String file = config.getString(TOKEN_FILE_CONFIG);
          putIfSet(
              out,
              "fs.azure.account.oauth2.token.file." + host,
              blank(file) ? System.getenv("AZURE_FEDERATED_TOKEN_FILE") : file);
        }
        case SAS -> {
          // No provider type: hadoop-azure builds its FixedSASTokenProvider from
          // fs.azure.sas.fixed.token
          // itself (AbfsConfiguration.getSASTokenProvider); named as a provider class, it cannot be
          // instantiated (no no-argument constructor) and the file system fails to start.
          out.put("fs.azure.account.auth.type." + host, "SAS");
          out.put(
              "fs.azure.sas.fixed.token." + host,
              secret(config, SAS_TOKEN_CONFIG).replaceFirst("^\\?", ""));
        }
        default -> {}
      }
    }
    return out;
  }

  private static void oauth(Map<String, String> out, String host, String provider) {
    out.put("fs.azure.account.auth.type." + host, "OAuth");
    out.put("fs.azure.account.oauth.provider.type." + host, OAUTH2 + provider);
  }

  private static void putIfSet(Map<String, String> out, String key, String value) {
    if (!blank(value)) {
      out.put(key, value.trim());
    }
  }

  private static String secret(DeltaSinkConfig config, String key) {
    Password p = config.getPassword(key);
    return p == null ? "" : p.value();
  }
}
