package io.deltasink.connect.delta.config;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.Width;

/**
 * The compaction settings (the sink's own auto-optimize, docs/table-maintenance.md): keys, defaults
 * and their definitions in {@link DeltaSinkConfig#CONFIG_DEF}.
 */
public final class CompactionConfigs {
  public static final String ENABLED_CONFIG = "delta.compaction.enabled";
  public static final boolean ENABLED_DEFAULT = true;

  public static final String MIN_FILES_CONFIG = "delta.compaction.min.files";

  /**
   * Ten small files of one size tier make a compaction: a row is rewritten about log10(target /
   * flush file size) times (2 to 3 for 1 MB flushes and 128 MB files) and a table partition holds
   * at most 9 small files per tier between runs.
   */
  public static final int MIN_FILES_DEFAULT = 10;

  public static final String MAX_BYTES_PER_RUN_CONFIG = "delta.compaction.max.bytes.per.run";

  /** 256 MiB: a few seconds of one core per run, so a run never holds the table long. */
  public static final long MAX_BYTES_PER_RUN_DEFAULT = 256L * 1024 * 1024;

  private static final String GROUP = "Compaction";

  private CompactionConfigs() {}

  static void define(ConfigDef def) {
    int order = 0;
    def.define(
        ENABLED_CONFIG,
        Type.BOOLEAN,
        ENABLED_DEFAULT,
        Importance.MEDIUM,
        "Whether the sink compacts the small files it wrote: files below half of "
            + "delta.file.target.bytes in one table partition are rewritten into larger ones in the "
            + "background, committed with dataChange=false (an OPTIMIZE commit that streaming readers "
            + "skip). The files it replaces stay on storage until VACUUM removes them.",
        GROUP,
        ++order,
        Width.SHORT,
        "Compaction");
    def.define(
        MIN_FILES_CONFIG,
        Type.INT,
        MIN_FILES_DEFAULT,
        ConfigDef.Range.atLeast(2),
        Importance.LOW,
        "How many small files of one size tier (sizes within a factor of this number) in one "
            + "table partition start a compaction of them. Lower: fewer small files, more rewriting.",
        GROUP,
        ++order,
        Width.SHORT,
        "Compaction min files");
    def.define(
        MAX_BYTES_PER_RUN_CONFIG,
        Type.LONG,
        MAX_BYTES_PER_RUN_DEFAULT,
        ConfigDef.Range.atLeast(1024 * 1024),
        Importance.LOW,
        "The most bytes of small files one compaction run of a table reads and rewrites; the rest "
            + "waits for the next run (after the next commit).",
        GROUP,
        ++order,
        Width.SHORT,
        "Compaction bytes per run");
  }
}
