package io.deltasink.connect.delta.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * The one way this project starts Kafka and Connect processes on the local machine: the properties
 * of a distributed Connect worker on a single broker, the connector zip unpacked onto a plugin
 * path, a JVM started on a classpath with its output in a log file, free ports, and the REST calls
 * made to a worker. Used by the quickstart and the benchmark ({@code
 * src/quickstart/LocalKafka.java}) and by the tests that run workers in child JVMs or containers
 * ({@code it/ChildWorker}, {@code packaging/}).
 *
 * <p>Only JDK classes: {@code src/quickstart/prepare.sh} compiles this file with javac against
 * Kafka's runtime alone, outside Maven.
 */
public final class LocalProcesses {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private LocalProcesses() {}

  /**
   * A distributed Connect worker's settings for a single broker: the group, its three internal
   * topics ({@code <group>-configs}, {@code -offsets}, {@code -status}) with replication factor 1,
   * string converters as defaults, and the REST listener. Callers add the rest (plugin.path,
   * timeouts).
   *
   * @param listener such as {@code http://localhost:8083}
   */
  public static Properties workerProperties(String bootstrap, String group, String listener) {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", bootstrap);
    p.setProperty("group.id", group);
    p.setProperty("config.storage.topic", group + "-configs");
    p.setProperty("offset.storage.topic", group + "-offsets");
    p.setProperty("status.storage.topic", group + "-status");
    p.setProperty("config.storage.replication.factor", "1");
    p.setProperty("offset.storage.replication.factor", "1");
    p.setProperty("status.storage.replication.factor", "1");
    p.setProperty("key.converter", "org.apache.kafka.connect.storage.StringConverter");
    p.setProperty("value.converter", "org.apache.kafka.connect.storage.StringConverter");
    p.setProperty("listeners", listener);
    return p;
  }

  /** Writes {@code p} to {@code file} (Java properties format) and returns the file. */
  public static Path write(Path file, Properties p, String comment) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    try (var out = Files.newBufferedWriter(file)) {
      p.store(out, comment);
    }
    return file;
  }

  /** The connector zip {@code mvn package} built into {@code target}. */
  public static Path connectorZip(Path target) throws IOException {
    try (Stream<Path> s = Files.list(target)) {
      return s.filter(
              p -> p.getFileName().toString().matches("deltasink-kafka-connect-delta-.*\\.zip"))
          .findFirst()
          .orElseThrow(
              () -> new IOException("no connector zip in " + target + ": run mvn package first"));
    }
  }

  /**
   * Unpacks {@code zip} into {@code into} (a worker's plugin.path: the zip holds one component
   * folder) and returns the names of its entries.
   */
  public static List<String> unzip(Path zip, Path into) throws IOException {
    Path root = Files.createDirectories(into).toAbsolutePath().normalize();
    List<String> names = new ArrayList<>();
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        names.add(e.getName());
        Path out = root.resolve(e.getName()).normalize();
        if (!out.startsWith(root)) {
          throw new IOException("zip entry outside the plugin folder: " + e.getName());
        }
        if (e.isDirectory()) {
          Files.createDirectories(out);
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(in, out);
        }
      }
    }
    return names;
  }

  /**
   * Starts {@code mainClass} in a new JVM of this JDK, its stdout and stderr going to {@code
   * output}.
   *
   * @param heap the -Xmx value, such as {@code 512m}
   * @param log4jConfig the log4j2 configuration file
   * @param jvmOptions further JVM options
   */
  public static Process startJava(
      String classpath,
      String heap,
      Path log4jConfig,
      List<String> jvmOptions,
      Path output,
      String mainClass,
      String... args)
      throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap,
                "-Dlog4j2.configurationFile=" + log4jConfig.toAbsolutePath()));
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", classpath, mainClass));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd)
        .redirectErrorStream(true)
        .redirectOutput(output.toFile())
        .start();
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /**
   * The body of a GET, or null when it did not answer 200 (or not at all, as a worker still
   * starting).
   */
  public static String get(String url) {
    try {
      HttpResponse<String> r =
          HTTP.send(
              HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * {@code PUT <rest>/connectors/<name>/config} with a JSON body; throws unless it answered 2xx.
   */
  public static void putConnector(String rest, String name, String json)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(rest + "/connectors/" + name + "/config"))
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(json))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          "PUT /connectors/" + name + "/config answered " + r.statusCode() + ": " + r.body());
    }
  }

  /** {@code DELETE <rest>/connectors/<name>}; throws unless it answered 2xx. */
  public static void deleteConnector(String rest, String name)
      throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(rest + "/connectors/" + name)).DELETE().build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() / 100 != 2) {
      throw new IllegalStateException(
          "DELETE /connectors/" + name + " answered " + r.statusCode() + ": " + r.body());
    }
  }
}
