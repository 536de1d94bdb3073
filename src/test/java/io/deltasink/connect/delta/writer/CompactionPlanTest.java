package io.deltasink.connect.delta.writer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CompactionPlanTest {
  private static final Map<String, String> PARTITION = Map.of("city", "Paris");

  @ParameterizedTest(name = "isSmall({0}, {1}) = {2}")
  @CsvSource({
    "0, 10, true",
    "4, 10, true",
    "5, 10, false",
    "6, 10, false",
    "2, 5, true",
    "3, 5, false",
    "0, 1, true",
    "1, 1, false",
    "4611686018427387903, 9223372036854775807, true",
    "4611686018427387904, 9223372036854775807, false",
    "9223372036854775807, 9223372036854775807, false"
  })
  void aFileIsSmallBelowHalfTheTarget(long size, long target, boolean small) {
    assertThat(CompactionPlan.isSmall(size, target)).isEqualTo(small);
  }

  /**
   * Files are written {@code name:size@modificationTime}; the expected bins as {@code a,b|c,d}, or
   * {@code -} for no plan.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = ';',
      value = {
        "fewer small files than minFiles; 100; 3; 1000; a:10@1 b:10@2 big:60@0; -",
        "files of half the target or more are ignored; 100; 2; 1000; a:10@1 big:50@0 b:10@2; a,b",
        "oldest first, then path; 100; 2; 1000; b:10@1 a:10@1 c:10@0; c,a,b",
        "next fit, the last single file is dropped; 100; 2; 1000;"
            + " f1:40@1 f2:40@2 f3:40@3 f4:40@4 f5:40@5; f1,f2|f3,f4",
        "a bin may reach the target exactly; 100; 2; 1000; a:30@1 b:30@2 c:40@3 d:1@4; a,b,c",
        "the run's budget ends the plan; 100; 2; 150; f1:40@1 f2:40@2 f3:40@3 f4:40@4; f1,f2",
        "the run's budget may take several bins; 100; 2; 160;"
            + " f1:40@1 f2:40@2 f3:40@3 f4:40@4; f1,f2|f3,f4",
        "a budget below the target makes smaller bins; 100; 2; 50;"
            + " f1:20@1 f2:20@2 f3:20@3 f4:20@4; f1,f2",
        "single bins in the middle are skipped; 100; 2; 60; a:20@1 b:45@2 c:20@3 d:30@4; c,d",
        "no budget, no plan; 100; 2; 0; a:10@1 b:10@2; -",
        "one file is never rewritten; 100; 1; 1000; a:10@1 big:90@2; -",
        "minFiles counts only small files; 100; 3; 1000; a:10@1 b:10@2 c:50@3 d:70@4; -",
        "empty files are packed too; 100; 2; 1000; a:0@1 b:0@2; a,b",
        "no files; 100; 1; 1000; ; -"
      })
  void plans(
      String description,
      long target,
      int minFiles,
      long maxBytesPerRun,
      String files,
      String expected) {
    List<List<WrittenFile>> bins =
        CompactionPlan.plan(parse(files), target, minFiles, maxBytesPerRun);
    String actual =
        bins.isEmpty()
            ? "-"
            : bins.stream()
                .map(b -> b.stream().map(WrittenFile::path).collect(Collectors.joining(",")))
                .collect(Collectors.joining("|"));
    assertThat(actual).as(description).isEqualTo(expected);
  }

  /** The rules hold for any input, and the plan does not depend on the order files come in. */
  @Test
  void randomInputsKeepEveryRuleAndGiveTheSamePlanInAnyOrder() {
    Random random = new Random(7);
    for (int round = 0; round < 500; round++) {
      long target = 1 + random.nextInt(1000);
      int minFiles = 1 + random.nextInt(6);
      long maxBytesPerRun = random.nextInt(3000);
      List<WrittenFile> files = new ArrayList<>();
      for (int i = random.nextInt(40); i > 0; i--) {
        files.add(file("f" + i, random.nextInt((int) target + 1), random.nextInt(20)));
      }
      List<List<WrittenFile>> plan = CompactionPlan.plan(files, target, minFiles, maxBytesPerRun);

      List<WrittenFile> shuffled = new ArrayList<>(files);
      Collections.shuffle(shuffled, random);
      assertThat(CompactionPlan.plan(shuffled, target, minFiles, maxBytesPerRun)).isEqualTo(plan);

      long small =
          files.stream().filter(f -> CompactionPlan.isSmall(f.sizeBytes(), target)).count();
      if (small < minFiles) {
        assertThat(plan).isEmpty();
      }
      Set<String> seen = new HashSet<>();
      long runBytes = 0;
      WrittenFile previous = null;
      for (List<WrittenFile> bin : plan) {
        assertThat(bin).hasSizeGreaterThanOrEqualTo(2);
        long binBytes = bin.stream().mapToLong(WrittenFile::sizeBytes).sum();
        assertThat(binBytes).isLessThanOrEqualTo(Math.min(target, maxBytesPerRun));
        runBytes += binBytes;
        for (WrittenFile f : bin) {
          assertThat(CompactionPlan.isSmall(f.sizeBytes(), target)).isTrue();
          assertThat(seen.add(f.path())).isTrue();
          if (previous != null) {
            assertThat(
                    f.modificationTimeMs() > previous.modificationTimeMs()
                        || f.modificationTimeMs() == previous.modificationTimeMs()
                            && f.path().compareTo(previous.path()) > 0)
                .as("oldest first: %s after %s", f, previous)
                .isTrue();
          }
          previous = f;
        }
      }
      assertThat(runBytes).isLessThanOrEqualTo(maxBytesPerRun);
    }
  }

  /** With the capacity at the target, two or more small files always make at least one bin. */
  @Test
  void twoSmallFilesWithinTheBudgetAreAlwaysPlanned() {
    Random random = new Random(11);
    for (int round = 0; round < 500; round++) {
      long target = 2 + random.nextInt(1000);
      List<WrittenFile> files = new ArrayList<>();
      for (int i = 2 + random.nextInt(10); i > 0; i--) {
        files.add(file("f" + i, random.nextLong((target + 1) / 2), random.nextInt(20)));
      }
      assertThat(CompactionPlan.plan(files, target, 2, target)).isNotEmpty();
    }
  }

  @Test
  void filesOfSeveralPartitionsAreRejectedWithoutTheirValues() {
    List<WrittenFile> files =
        List.of(
            file("city=Paris/a.parquet", 1, 1),
            new WrittenFile("city=Rome/b.parquet", Map.of("city", "Rome"), 1, 1, 1, "{}", -1, -1));
    assertThatThrownBy(() -> CompactionPlan.plan(files, 100, 2, 1000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a.parquet and b.parquet")
        .hasMessageNotContaining("Rome");
  }

  @Test
  void aFileListedTwiceIsRejected() {
    List<WrittenFile> files = List.of(file("a", 1, 1), file("b", 1, 1), file("a", 1, 1));
    assertThatThrownBy(() -> CompactionPlan.plan(files, 100, 2, 1000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("file a is listed twice");
  }

  @ParameterizedTest
  @CsvSource({"0, 2, 100", "-1, 2, 100", "100, 0, 100", "100, 2, -1"})
  void argumentsOutOfRangeAreRejected(long target, int minFiles, long maxBytesPerRun) {
    assertThatThrownBy(() -> CompactionPlan.plan(List.of(), target, minFiles, maxBytesPerRun))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static List<WrittenFile> parse(String files) {
    if (files == null) {
      return List.of();
    }
    return Arrays.stream(files.trim().split("\\s+"))
        .map(
            spec -> {
              String[] nameRest = spec.split(":");
              String[] sizeTime = nameRest[1].split("@");
              return file(nameRest[0], Long.parseLong(sizeTime[0]), Long.parseLong(sizeTime[1]));
            })
        .toList();
  }

  private static WrittenFile file(String path, long size, long modificationTime) {
    return new WrittenFile(path, PARTITION, size, modificationTime, 10, "{}", -1, -1);
  }
}
