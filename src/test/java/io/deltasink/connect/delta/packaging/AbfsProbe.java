package io.deltasink.connect.delta.packaging;

import io.deltasink.connect.delta.config.DeltaSinkConfig;
import io.deltasink.connect.delta.config.HadoopConf;
import io.deltasink.connect.delta.table.standalone.StandaloneTableLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Runs inside the plugin class loader built from the packaged zip's {@code lib/} (see {@link
 * AbfsDriverIsolationIT}): the connector's own config turns into Hadoop keys, and the real ABFS
 * driver and Delta Standalone work against an abfs:// location. Answers with java.* values only, so
 * nothing of the plugin's classes leaks into the caller.
 */
public class AbfsProbe implements Function<Map<String, String>, Map<String, String>> {
  @Override
  public Map<String, String> apply(Map<String, String> props) {
    Map<String, String> out = new LinkedHashMap<>();
    try {
      DeltaSinkConfig config = new DeltaSinkConfig(props);
      Configuration conf = HadoopConf.build(config.hadoopOverrides());
      Path root = new Path(config.tableLocation());
      FileSystem fs = root.getFileSystem(conf);
      // The task's view (issue #12 case 14) over its own instance of the driver.
      out.put("fs.view", fs.getClass().getName());
      FileSystem driver = fs instanceof FilterFileSystem view ? view.getRawFileSystem() : fs;
      out.put("fs.class", driver.getClass().getName());
      out.put("fs.loader", String.valueOf(driver.getClass().getClassLoader()));
      out.put(
          "jackson.loader",
          String.valueOf(com.fasterxml.jackson.databind.ObjectMapper.class.getClassLoader()));
      out.put(
          "lang3.loader",
          String.valueOf(org.apache.commons.lang3.StringUtils.class.getClassLoader()));
      out.put("exists.before", Boolean.toString(fs.exists(root)));
      out.put("mkdirs", Boolean.toString(fs.mkdirs(root)));
      Path file = new Path(root, "probe.txt");
      byte[] text = "written through ABFS".getBytes(StandardCharsets.UTF_8);
      try (FSDataOutputStream o = fs.create(file, false)) {
        o.write(text);
      }
      FileStatus st = fs.getFileStatus(file);
      out.put("status.len", Long.toString(st.getLen()));
      byte[] back = new byte[text.length];
      try (FSDataInputStream in = fs.open(file)) {
        in.readFully(0, back);
      }
      out.put("read", new String(back, StandardCharsets.UTF_8));
      out.put(
          "list",
          Arrays.toString(
              Arrays.stream(fs.listStatus(root)).map(s -> s.getPath().getName()).toArray()));
      StandaloneTableLog table =
          new StandaloneTableLog(config.tableLocation(), conf, "t", "probe", 1, 0, ms -> {});
      out.put("delta.exists", Boolean.toString(table.state().isPresent()));
      // Delta Kernel's engine over the same driver: the table's refusal check lists its log.
      out.put(
          "kernel.refusal",
          io.deltasink.connect.delta.table.kernel.KernelFeatures.refusal(
                  config.tableLocation(), conf)
              .orElse("none"));
      out.put("kernel.loader", String.valueOf(io.delta.kernel.TableManager.class.getClassLoader()));
      HadoopConf.close(conf);
      out.put("closed.driver.refuses", Boolean.toString(refuses(root, conf)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  private static boolean refuses(Path root, Configuration closed) {
    try {
      root.getFileSystem(closed);
      return false;
    } catch (IOException e) {
      return true;
    }
  }
}
