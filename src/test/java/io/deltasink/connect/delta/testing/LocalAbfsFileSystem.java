package io.deltasink.connect.delta.testing;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.util.Progressable;

/**
 * ADLS Gen2 as a test double: {@code abfss://<container>@<account>.dfs.core.windows.net/<path>}
 * served from {@code <fs.abfss.test.root>/<account host>/<container>/<path>} on local disk, with
 * the two behaviours of an account with hierarchical namespace that Delta's {@code AzureLogStore}
 * relies on: rename is atomic and fails (returns false) when the destination exists, and
 * directories are real.
 *
 * <p>Like the real driver it refuses to start without credentials for the account: one of {@code
 * fs.azure.account.key.<host>}, {@code fs.azure.account.auth.type.<host>} must be set, so a test
 * proves the connector's authentication config reaches the file system. {@code
 * fs.abfss.test.hns=false} makes it report no hierarchical namespace (path capability {@code
 * fs.capability.paths.acls}).
 */
public class LocalAbfsFileSystem extends FileSystem {
  public static final String ROOT_KEY = "fs.abfss.test.root";
  public static final String HNS_KEY = "fs.abfss.test.hns";

  /** Renames onto a {@code _delta_log/*.json} commit file: how commits were published. */
  public static final AtomicInteger LOG_RENAMES = new AtomicInteger();

  /** Renames onto a {@code _delta_log/*.checkpoint.parquet} file: checkpoints published whole. */
  public static final AtomicInteger CHECKPOINT_RENAMES = new AtomicInteger();

  /** Files created under a checkpoint's own name: visible to readers while half written. */
  public static final AtomicInteger CHECKPOINTS_CREATED_IN_PLACE = new AtomicInteger();

  /** Every instance initialized, ever. */
  public static final AtomicInteger INITIALIZED = new AtomicInteger();

  /** The instances initialized and not closed yet. */
  public static final Set<LocalAbfsFileSystem> OPEN = ConcurrentHashMap.newKeySet();

  private final RawLocalFileSystem local = new RawLocalFileSystem();
  private URI uri;
  private java.nio.file.Path base;
  private Path workingDir;
  private boolean hns;

  @Override
  public void initialize(URI name, Configuration conf) throws IOException {
    super.initialize(name, conf);
    String host = name.getHost();
    String container = name.getUserInfo();
    if (host == null || container == null) {
      throw new IOException(
          "not an ADLS Gen2 URI (abfss://<container>@<account>.dfs.core.windows.net/): " + name);
    }
    if (conf.get("fs.azure.account.key." + host) == null
        && conf.get("fs.azure.account.auth.type." + host) == null) {
      throw new IOException("no credentials configured for " + host);
    }
    String root = conf.get(ROOT_KEY);
    if (root == null) {
      throw new IOException(ROOT_KEY + " is not set");
    }
    uri = URI.create(name.getScheme() + "://" + name.getAuthority());
    base = java.nio.file.Path.of(root, host, container);
    Files.createDirectories(base);
    hns = conf.getBoolean(HNS_KEY, true);
    local.initialize(URI.create("file:///"), new Configuration(false));
    workingDir = new Path(uri.toString() + "/");
    INITIALIZED.incrementAndGet();
    OPEN.add(this);
  }

  @Override
  public URI getUri() {
    return uri;
  }

  @Override
  public String getScheme() {
    return uri.getScheme();
  }

  private Path toLocal(Path p) {
    String path = makeQualified(p).toUri().getPath();
    return new Path(base.resolve(path.startsWith("/") ? path.substring(1) : path).toUri());
  }

  private Path fromLocal(Path localPath) {
    java.nio.file.Path rel = base.relativize(java.nio.file.Path.of(localPath.toUri()));
    return new Path(uri.toString() + "/" + rel.toString().replace('\\', '/'));
  }

  private FileStatus translate(FileStatus s) {
    return new FileStatus(
        s.getLen(),
        s.isDirectory(),
        1,
        s.getBlockSize(),
        s.getModificationTime(),
        fromLocal(s.getPath()));
  }

  @Override
  public FSDataInputStream open(Path f, int bufferSize) throws IOException {
    return local.open(toLocal(f), bufferSize);
  }

  @Override
  public FSDataOutputStream create(
      Path f,
      FsPermission permission,
      boolean overwrite,
      int bufferSize,
      short replication,
      long blockSize,
      Progressable progress)
      throws IOException {
    if (f.getName().endsWith(".checkpoint.parquet")) {
      CHECKPOINTS_CREATED_IN_PLACE.incrementAndGet();
    }
    return local.create(
        toLocal(f), permission, overwrite, bufferSize, replication, blockSize, progress);
  }

  @Override
  public FSDataOutputStream append(Path f, int bufferSize, Progressable progress)
      throws IOException {
    return local.append(toLocal(f), bufferSize, progress);
  }

  /** Atomic, and false when {@code dst} exists: ADLS Gen2 with hierarchical namespace. */
  @Override
  public boolean rename(Path src, Path dst) throws IOException {
    java.nio.file.Path from = java.nio.file.Path.of(toLocal(src).toUri());
    java.nio.file.Path to = java.nio.file.Path.of(toLocal(dst).toUri());
    if (!Files.exists(from)) {
      return false;
    }
    try {
      if (Files.isDirectory(from)) {
        Files.move(from, to);
      } else {
        Files.createLink(to, from);
        Files.delete(from);
      }
    } catch (FileAlreadyExistsException e) {
      return false;
    }
    if (to.getParent().getFileName().toString().equals("_delta_log")
        && to.getFileName().toString().endsWith(".json")) {
      LOG_RENAMES.incrementAndGet();
    }
    if (to.getFileName().toString().endsWith(".checkpoint.parquet")) {
      CHECKPOINT_RENAMES.incrementAndGet();
    }
    return true;
  }

  @Override
  public boolean delete(Path f, boolean recursive) throws IOException {
    return local.delete(toLocal(f), recursive);
  }

  @Override
  public FileStatus[] listStatus(Path f) throws IOException {
    FileStatus[] in = local.listStatus(toLocal(f));
    List<FileStatus> out = new ArrayList<>(in.length);
    for (FileStatus s : in) {
      out.add(translate(s));
    }
    return out.toArray(new FileStatus[0]);
  }

  @Override
  public void setWorkingDirectory(Path dir) {
    workingDir = makeQualified(dir);
  }

  @Override
  public Path getWorkingDirectory() {
    return workingDir;
  }

  @Override
  public boolean mkdirs(Path f, FsPermission permission) throws IOException {
    return local.mkdirs(toLocal(f), permission);
  }

  @Override
  public FileStatus getFileStatus(Path f) throws IOException {
    Path l = toLocal(f);
    if (!Files.exists(java.nio.file.Path.of(l.toUri()))) {
      throw new FileNotFoundException(f.toString());
    }
    return translate(local.getFileStatus(l));
  }

  @Override
  public boolean hasPathCapability(Path path, String capability) throws IOException {
    if ("fs.capability.paths.acls".equals(capability)) {
      return hns;
    }
    return super.hasPathCapability(path, capability);
  }

  @Override
  public void close() throws IOException {
    OPEN.remove(this);
    local.close();
    super.close();
  }
}
