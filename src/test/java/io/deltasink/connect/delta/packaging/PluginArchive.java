package io.deltasink.connect.delta.packaging;

import io.deltasink.connect.delta.testing.LocalProcesses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

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

  /** Unpacks the zip in {@code target/} into {@code pluginPath}. */
  static PluginArchive unpack(Path pluginPath) throws IOException {
    Path zip = LocalProcesses.connectorZip(Path.of("target"));
    List<String> names = new ArrayList<>();
    for (String name : LocalProcesses.unzip(zip, pluginPath)) {
      names.add(name.substring(name.indexOf('/') + 1));
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
