package io.deltasink.connect.delta.packaging;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/** The connector zip that {@code mvn package} built, unpacked as a user would onto plugin.path. */
final class PluginArchive {
  final Path zip;
  /** The component folder, {@code <owner>-<name>-<version>/}. */
  final Path root;
  /** Entry names below the component folder, such as {@code lib/hadoop-azure-3.4.2.jar}. */
  final List<String> entries = new ArrayList<>();

  private PluginArchive(Path zip, Path root) {
    this.zip = zip;
    this.root = root;
  }

  static PluginArchive unpack(Path pluginPath) throws IOException {
    Path zip;
    try (Stream<Path> s = Files.list(Path.of("target"))) {
      zip = s.filter(p -> p.getFileName().toString().matches("deltasink-kafka-connect-delta-.*\\.zip")).findFirst().orElseThrow();
    }
    List<String> names = new ArrayList<>();
    try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
      for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
        names.add(e.getName().substring(e.getName().indexOf('/') + 1));
        Path out = pluginPath.resolve(e.getName()).normalize();
        if (!out.startsWith(pluginPath)) {
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
    Path root;
    try (Stream<Path> s = Files.list(pluginPath)) {
      root = s.findFirst().orElseThrow();
    }
    PluginArchive a = new PluginArchive(zip, root);
    a.entries.addAll(names);
    return a;
  }

  /** The jars of {@code lib/}. */
  List<Path> libJars() throws IOException {
    try (Stream<Path> s = Files.list(root.resolve("lib"))) {
      return s.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
    }
  }
}
