package io.deltasink.connect.delta.fs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deltasink.connect.delta.testing.LocalAbfsFileSystem;
import java.io.IOException;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-task scope of {@code abfs}/{@code abfss} file systems, on {@link LocalAbfsFileSystem}.
 */
class TaskFileSystemsTest {
  private static final String HOST = "lake.dfs.core.windows.net";
  private static final String KEY = "fs.azure.account.key." + HOST;
  @TempDir Path dir;

  private Configuration task(String accountKey) {
    Configuration conf = new Configuration();
    conf.set("fs.abfss.impl", LocalAbfsFileSystem.class.getName());
    conf.set(LocalAbfsFileSystem.ROOT_KEY, dir.toString());
    conf.set(KEY, accountKey);
    TaskFileSystems.install(conf);
    return conf;
  }

  private static FileSystem driver(FileSystem view) {
    assertThat(view).isInstanceOf(TaskScopedFileSystem.class);
    return ((FilterFileSystem) view).getRawFileSystem();
  }

  private static org.apache.hadoop.fs.Path path(String container, String rest) {
    return new org.apache.hadoop.fs.Path("abfss://" + container + "@" + HOST + "/" + rest);
  }

  @Test
  void viewsShareOneInstancePerAccountAndContainerUntilTheScopeCloses() throws IOException {
    int scopesBefore = TaskFileSystems.openScopes();
    Configuration conf = task("a2V5");
    int initializedBefore = LocalAbfsFileSystem.INITIALIZED.get();
    FileSystem first = path("files", "t/_delta_log").getFileSystem(conf);
    // Delta and Parquet copy the configuration: the copy names the same scope.
    FileSystem second = path("files", "t/part-0.parquet").getFileSystem(new Configuration(conf));
    FileSystem otherContainer = path("archive", "t").getFileSystem(conf);
    assertThat(second).isNotSameAs(first);
    assertThat(driver(second)).isSameAs(driver(first)).isInstanceOf(LocalAbfsFileSystem.class);
    assertThat(driver(otherContainer)).isNotSameAs(driver(first));
    assertThat(LocalAbfsFileSystem.INITIALIZED.get() - initializedBefore).isEqualTo(2);
    assertThat(first.mkdirs(path("files", "t/_delta_log"))).isTrue();
    assertThat(second.exists(path("files", "t/_delta_log"))).isTrue();

    // Delta never closes what it gets, and nothing breaks when someone does.
    first.close();
    assertThat(LocalAbfsFileSystem.OPEN)
        .contains(
            (LocalAbfsFileSystem) driver(second), (LocalAbfsFileSystem) driver(otherContainer));
    assertThat(second.exists(path("files", "t/_delta_log"))).isTrue();
    assertThat(TaskFileSystems.openScopes()).isEqualTo(scopesBefore + 1);

    TaskFileSystems.close(conf);
    assertThat(LocalAbfsFileSystem.OPEN)
        .doesNotContain(
            (LocalAbfsFileSystem) driver(second), (LocalAbfsFileSystem) driver(otherContainer));
    assertThat(TaskFileSystems.openScopes()).isEqualTo(scopesBefore);
    assertThatThrownBy(() -> path("files", "t").getFileSystem(conf))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("was closed with its task");
    TaskFileSystems.close(conf);
  }

  @Test
  void twoTasksNeverShareAnInstanceNorItsCredentials() throws IOException {
    Configuration a = task("a2V5LWE=");
    Configuration b = task("a2V5LWI=");
    FileSystem fa = driver(path("files", "t").getFileSystem(a));
    FileSystem fb = driver(path("files", "t").getFileSystem(b));
    assertThat(fb).isNotSameAs(fa);
    assertThat(fa.getConf().get(KEY)).isEqualTo("a2V5LWE=");
    assertThat(fb.getConf().get(KEY)).isEqualTo("a2V5LWI=");
    TaskFileSystems.close(a);
    assertThat(LocalAbfsFileSystem.OPEN)
        .contains((LocalAbfsFileSystem) fb)
        .doesNotContain((LocalAbfsFileSystem) fa);
    TaskFileSystems.close(b);
  }

  @Test
  void otherSchemesAreLeftToHadoop() throws IOException {
    Configuration conf = new Configuration();
    conf.set("fs.file.impl", RawLocalFileSystem.class.getName());
    TaskFileSystems.install(conf);
    assertThat(conf.get("fs.abfss.impl")).isEqualTo(TaskScopedFileSystem.class.getName());
    assertThat(conf.get("fs.abfs.impl")).isEqualTo(TaskScopedFileSystem.class.getName());
    assertThat(conf.get("fs.file.impl")).isEqualTo(RawLocalFileSystem.class.getName());
    assertThat(conf.get("fs.file.impl.disable.cache")).isNull();
    assertThat(new org.apache.hadoop.fs.Path(dir.toUri()).getFileSystem(conf))
        .isNotInstanceOf(TaskScopedFileSystem.class);
    TaskFileSystems.close(conf);
  }
}
