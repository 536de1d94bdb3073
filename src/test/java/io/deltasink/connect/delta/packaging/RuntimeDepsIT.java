package io.deltasink.connect.delta.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import io.deltasink.connect.delta.testing.LocalProcesses;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The third-party jars in the connector zip's {@code lib/} are exactly those listed in {@code
 * src/assembly/runtime-deps.txt} (as Iceberg's runtime-deps.txt), so a new, dropped or upgraded
 * transitive dependency fails {@code mvn verify} until someone has reviewed it and updated the
 * list; and NOTICE names each of them. {@code -Dupdate.runtime-deps=true} rewrites the list from
 * the zip.
 */
class RuntimeDepsIT {
  private static final Path LIST = Path.of("src", "assembly", "runtime-deps.txt");
  private static final String UPDATE = "update.runtime-deps";

  /** File names of the zip's {@code lib/*.jar}, without the connector's own jar, sorted. */
  private static List<String> zipLibJars(ZipFile zip) {
    TreeSet<String> jars = new TreeSet<>();
    zip.stream()
        .map(ZipEntry::getName)
        .filter(n -> n.matches("[^/]+/lib/[^/]+\\.jar"))
        .map(n -> n.substring(n.lastIndexOf('/') + 1))
        .filter(n -> !n.startsWith("kafka-connect-delta-"))
        .forEach(jars::add);
    return new ArrayList<>(jars);
  }

  private static List<String> listed(List<String> lines) {
    return lines.stream()
        .map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
        .toList();
  }

  @Test
  void libJarsAreTheReviewedList() throws IOException {
    List<String> actual;
    try (ZipFile zip = new ZipFile(LocalProcesses.connectorZip(Path.of("target")).toFile())) {
      actual = zipLibJars(zip);
    }
    List<String> lines = Files.readAllLines(LIST, StandardCharsets.UTF_8);
    List<String> expected = listed(lines);
    if (Boolean.getBoolean(UPDATE) && !actual.equals(expected)) {
      List<String> out = new ArrayList<>(lines.stream().filter(l -> l.startsWith("#")).toList());
      out.addAll(actual);
      Files.write(LIST, out, StandardCharsets.UTF_8);
      return;
    }
    List<String> added = new ArrayList<>(actual);
    added.removeAll(expected);
    List<String> removed = new ArrayList<>(expected);
    removed.removeAll(actual);
    assertThat(actual)
        .as(
            "The connector zip's lib/ differs from %s.%n"
                + "  in the zip, not in the list (new or changed): %s%n"
                + "  in the list, not in the zip (dropped or changed): %s%n"
                + "Review the new dependency before it ships: who brings it in (mvn dependency:tree), "
                + "whether the connector loads it (exclude it in pom.xml if not), its licence (name it in "
                + "NOTICE; add the licence text to LICENSE unless it is Apache 2.0). Then update %s, by hand "
                + "or with -D%s=true.",
            LIST, added, removed, LIST, UPDATE)
        .isEqualTo(expected);
    assertThat(expected)
        .as("%s is sorted, one jar a line", LIST)
        .isSorted()
        .doesNotHaveDuplicates();
  }

  @Test
  void noticeNamesEveryBundledJar() throws IOException {
    try (ZipFile zip = new ZipFile(LocalProcesses.connectorZip(Path.of("target")).toFile())) {
      ZipEntry notice =
          zip.stream()
              .filter(e -> e.getName().matches("[^/]+/doc/NOTICE"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no doc/NOTICE in the zip"));
      String text;
      try (InputStream in = zip.getInputStream(notice)) {
        text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      assertThat(zipLibJars(zip))
          .allSatisfy(
              jar -> assertThat(text).as("NOTICE names %s and its licence", jar).contains(jar));
    }
  }
}
