package io.deltasink.connect.delta.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs the README's first command, the quickstart: a broker and a Connect worker in their own
 * processes, the connector loaded from the unpacked zip through plugin isolation and KIP-898
 * service loading (the only test that does), the real sample in, the Delta table checked.
 */
class QuickstartIT {

  @Test
  void theQuickstartWritesEveryRealMessageOnce() throws Exception {
    Path log = Path.of("target/quickstart-it.log");
    ProcessBuilder pb =
        new ProcessBuilder("bash", "src/quickstart/run.sh")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    // mvn verify has just built the zip; do not run a nested build into the same target/.
    pb.environment().put("QUICKSTART_SKIP_BUILD", "1");
    Process p = pb.start();
    boolean done = p.waitFor(6, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly();
    }
    String output = Files.readString(log, StandardCharsets.UTF_8);
    output
        .lines()
        .filter(
            l ->
                l.startsWith("[quickstart")
                    || l.matches("^(rows|data files|Delta versions|elapsed|total).*"))
        .forEach(l -> System.out.println("  " + l));
    assertThat(done).as("quickstart finished in time").isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    assertThat(output)
        .contains("rows               26,064 (produced 26,064)")
        .contains("loaded from plugin.path")
        .contains("Stopped");
  }
}
