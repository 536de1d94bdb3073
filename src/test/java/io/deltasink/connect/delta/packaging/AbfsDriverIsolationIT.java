package io.deltasink.connect.delta.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.testing.FakeAdlsEndpoint;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.connect.runtime.isolation.PluginClassLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real ABFS driver from the packaged zip's {@code lib/}, loaded the way a Connect worker loads
 * a plugin (Kafka's own {@link PluginClassLoader}, child-first, over a parent that holds only what
 * a worker's classpath holds: Kafka, Connect, slf4j/log4j, Jackson and Jetty 12), driven through
 * the connector's own shared-key config against a local stand-in of the ADLS Gen2 REST API. Proves
 * the plugin has what ABFS and Delta Standalone need (commons-lang3, Jackson, commons-codec) and
 * that its jars do not clash with the worker's (TESTING.md: Jetty 9.4, the old WASB SDK).
 */
class AbfsDriverIsolationIT {
  private static final String ACCOUNT_KEY = "c2hhcmVkLWtleS1mb3ItdGhlLWZha2UtZW5kcG9pbnQ=";
  @TempDir Path plugins;

  /** The jars a Connect worker's own classpath has, taken from this test's classpath. */
  private static ClassLoader workerClasspath() throws Exception {
    List<URL> urls = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString();
      if (name.matches("(kafka|connect-|slf4j|log4j|jackson|jetty|jersey|jakarta|hk2).*\\.jar")) {
        urls.add(Path.of(entry).toUri().toURL());
      }
    }
    return new URLClassLoader(
        "worker", urls.toArray(new URL[0]), ClassLoader.getPlatformClassLoader());
  }

  @Test
  @SuppressWarnings("unchecked")
  void theZipsAbfsDriverWorksInsideThePluginClassLoader() throws Exception {
    PluginArchive archive = PluginArchive.unpack(plugins);
    assertThat(archive.entries)
        .filteredOn(e -> e.startsWith("lib/"))
        .noneMatch(e -> e.matches("lib/(jetty-|azure-storage-|hadoop-common-).*"));
    List<URL> urls = new ArrayList<>();
    for (Path jar : archive.libJars()) {
      urls.add(jar.toUri().toURL());
    }
    // The probe itself, compiled with the tests: it uses the connector classes from lib/.
    urls.add(Path.of("target/test-classes").toUri().toURL());
    try (FakeAdlsEndpoint adls = new FakeAdlsEndpoint();
        PluginClassLoader loader =
            new PluginClassLoader(
                archive.root.toUri().toURL(), urls.toArray(new URL[0]), workerClasspath())) {
      Map<String, String> props = new HashMap<>();
      props.put("name", "adls-probe");
      props.put("topics", "temperatures");
      props.put(
          "delta.table.location", "abfs://files@lake.dfs.core.windows.net/weather/temperatures");
      props.put("delta.azure.auth.method", "shared-key");
      props.put("delta.azure.account.key", ACCOUNT_KEY);
      props.put("delta.hadoop.fs.azure.abfs.endpoint", adls.endpoint());
      props.put("delta.hadoop.fs.azure.always.use.https", "false");
      Thread t = Thread.currentThread();
      ClassLoader before = t.getContextClassLoader();
      Map<String, String> out;
      t.setContextClassLoader(loader);
      try {
        Class<?> probe = loader.loadClass(AbfsProbe.class.getName());
        assertThat(probe.getClassLoader()).isSameAs(loader);
        out =
            ((Function<Map<String, String>, Map<String, String>>)
                    probe.getConstructor().newInstance())
                .apply(props);
      } finally {
        t.setContextClassLoader(before);
      }
      System.out.println(
          "[measure] ABFS in the plugin class loader: "
              + out
              + "; "
              + adls.requests.size()
              + " requests: "
              + adls.requests);
      assertThat(out)
          .containsEntry("fs.view", "io.deltasink.connect.delta.fs.TaskScopedFileSystem")
          .containsEntry("closed.driver.refuses", "true")
          .containsEntry("fs.class", "org.apache.hadoop.fs.azurebfs.AzureBlobFileSystem")
          .containsEntry("exists.before", "false")
          .containsEntry("mkdirs", "true")
          .containsEntry("status.len", "20")
          .containsEntry("read", "written through ABFS")
          .containsEntry("list", "[probe.txt]")
          .containsEntry("delta.exists", "false")
          .containsEntry("kernel.refusal", "none");
      for (String key : List.of("fs.loader", "jackson.loader", "lang3.loader", "kernel.loader")) {
        assertThat(out.get(key)).as(key).startsWith("PluginClassLoader");
      }
      assertThat(adls.authorizations).isNotEmpty().allMatch(a -> a.startsWith("SharedKey lake:"));
      assertThat(String.join(" ", adls.requests)).doesNotContain(ACCOUNT_KEY);
      assertThat(Arrays.asList(adls.requests.toArray(new String[0])))
          .anyMatch(
              r ->
                  r.startsWith("PUT /lake/files/weather/temperatures/probe.txt?")
                      && r.contains("resource=file"))
          .anyMatch(
              r ->
                  r.startsWith("PATCH /lake/files/weather/temperatures/probe.txt?")
                      && r.contains("action=append"));
    }
  }
}
