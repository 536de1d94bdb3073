package io.deltasink.connect.delta.table;

import io.delta.storage.HadoopFileSystemLogStore;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * A Delta {@code LogStore} for {@code file:} tables that is safe with several writers.
 *
 * <p>Delta requires that writing commit file N fails when N already exists (PROTOCOL.md, "Delta Log
 * Entries": mutual exclusion). Hadoop's local rename checks and then renames, so two writers racing
 * for version N both "succeed" and one commit is silently lost. This store writes the commit to a
 * temporary file and publishes it with a hard link ({@code link(2)}), which fails atomically with
 * {@code EEXIST}; Delta then sees {@link FileAlreadyExistsException} and retries on the next
 * version. Selected through the Hadoop key {@code delta.logStore.file.impl}.
 */
public class AtomicLocalLogStore extends HadoopFileSystemLogStore {

  public AtomicLocalLogStore(Configuration initHadoopConf) {
    super(initHadoopConf);
  }

  @Override
  public void write(
      Path path, Iterator<String> actions, Boolean overwrite, Configuration hadoopConf)
      throws IOException {
    java.nio.file.Path target = new File(path.toUri().getPath()).toPath();
    java.nio.file.Path dir = target.getParent();
    Files.createDirectories(dir);
    java.nio.file.Path temp =
        dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    try {
      try (FileChannel ch =
              FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
          OutputStream out = Channels.newOutputStream(ch)) {
        boolean first = true;
        while (actions.hasNext()) {
          if (!first) {
            out.write('\n');
          }
          out.write(actions.next().getBytes(StandardCharsets.UTF_8));
          first = false;
        }
        out.flush();
        ch.force(true);
      }
      if (Boolean.TRUE.equals(overwrite)) {
        Files.move(
            temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } else {
        // Throws FileAlreadyExistsException when another writer already published this version.
        Files.createLink(target, temp);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * True: a file being written in place is visible to other writers before it is complete. Delta
   * writes commit files and {@code _last_checkpoint} through {@link #write}, which publishes them
   * whole; checkpoints it writes itself, and only when this answers true does it write them to a
   * temporary file and rename that onto the checkpoint's name (Standalone {@code
   * Checkpoints.writeCheckpoint}). With false, other writers listed and read half-written
   * checkpoints ("is not a Parquet file. Expected magic number at tail"). The local rename replaces
   * atomically, so two writers checkpointing the same version leave one whole file.
   */
  @Override
  public Boolean isPartialWriteVisible(Path path, Configuration hadoopConf) {
    return true;
  }
}
