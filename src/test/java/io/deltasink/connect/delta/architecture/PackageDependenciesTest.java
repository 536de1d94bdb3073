package io.deltasink.connect.delta.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The layering of the connector's packages, read from the compiled classes with the JDK's {@code
 * jdeps}: no package depends on a package that depends on it (directly or through others), and only
 * the Delta backend packages ({@code table.standalone}, later {@code table.kernel}) use the Delta
 * libraries.
 */
class PackageDependenciesTest {
  private static final String ROOT = "io.deltasink.connect.delta";
  private static final Pattern EDGE = Pattern.compile("^\\s+(\\S+)\\s+->\\s+(\\S+)");
  private static final Map<String, Set<String>> PACKAGE_EDGES = new HashMap<>();
  private static final Map<String, Set<String>> CLASS_EDGES = new HashMap<>();

  @BeforeAll
  static void readClasses() {
    Path classes = Path.of("target/classes");
    assertThat(Files.isDirectory(classes)).as("compiled classes in %s", classes).isTrue();
    read(PACKAGE_EDGES, "-verbose:package", classes);
    read(CLASS_EDGES, "-verbose:class", classes);
  }

  private static void read(Map<String, Set<String>> edges, String level, Path classes) {
    ToolProvider jdeps = ToolProvider.findFirst("jdeps").orElseThrow();
    StringWriter out = new StringWriter();
    int rc =
        jdeps.run(
            new PrintWriter(out),
            new PrintWriter(new StringWriter()),
            level,
            "-filter:none",
            classes.toString());
    assertThat(rc).as("jdeps exit code").isZero();
    for (String line : out.toString().split("\n")) {
      Matcher m = EDGE.matcher(line);
      if (m.find() && m.group(1).startsWith(ROOT) && !m.group(1).equals(m.group(2))) {
        edges.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
      }
    }
    assertThat(edges).as("jdeps found the connector's dependencies").isNotEmpty();
  }

  @Test
  void noPackageDependsOnAPackageThatDependsOnIt() {
    List<String> cycles = new ArrayList<>();
    for (String from : PACKAGE_EDGES.keySet()) {
      for (String to : PACKAGE_EDGES.get(from)) {
        if (to.startsWith(ROOT) && reaches(to, from, new HashSet<>())) {
          cycles.add(from + " -> " + to + " -> ... -> " + from);
        }
      }
    }
    assertThat(cycles).as("package cycles").isEmpty();
  }

  private static boolean reaches(String from, String target, Set<String> seen) {
    if (from.equals(target)) {
      return true;
    }
    if (!seen.add(from)) {
      return false;
    }
    for (String next : PACKAGE_EDGES.getOrDefault(from, Set.of())) {
      if (next.startsWith(ROOT) && reaches(next, target, seen)) {
        return true;
      }
    }
    return false;
  }

  @Test
  void onlyTheDeltaBackendsUseTheDeltaLibraries() {
    List<String> users = new ArrayList<>();
    CLASS_EDGES.forEach(
        (cls, deps) -> {
          boolean usesDelta =
              deps.stream()
                  .anyMatch(
                      d -> d.startsWith("io.delta.standalone") || d.startsWith("io.delta.kernel"));
          boolean backend =
              cls.startsWith(ROOT + ".table.standalone.")
                  || cls.startsWith(ROOT + ".table.kernel.");
          if (usesDelta && !backend) {
            users.add(cls);
          }
        });
    assertThat(CLASS_EDGES.get(ROOT + ".table.standalone.StandaloneTableLog"))
        .as("jdeps sees the backend's use")
        .anyMatch(d -> d.startsWith("io.delta.standalone"));
    assertThat(users)
        .as("classes outside the backend packages that use Delta Standalone or Kernel")
        .isEmpty();
  }
}
