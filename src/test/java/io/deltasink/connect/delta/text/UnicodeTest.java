package io.deltasink.connect.delta.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UnicodeTest {

  /**
   * Bytes (hex) after 9 ASCII bytes, so that the 8-byte ASCII scan hands over mid-word; the offset
   * expected.
   */
  static Stream<Arguments> utf8() {
    return Stream.of(
        Arguments.of("", -1),
        Arguments.of("41", -1),
        Arguments.of("c3a9", -1),
        Arguments.of("e282ac", -1),
        Arguments.of("f09f9880", -1),
        Arguments.of("efbfbd", -1),
        Arguments.of("ee8080", -1),
        Arguments.of("f48fbfbf", -1),
        Arguments.of("c328", 9), // a lead byte without its continuation
        Arguments.of("eda080", 9), // U+D800 encoded (CESU-8)
        Arguments.of("edbfbf", 9), // U+DFFF encoded
        Arguments.of("c0af", 9), // overlong '/'
        Arguments.of("c1bf", 9), // overlong
        Arguments.of("e080af", 9), // overlong, 3 bytes
        Arguments.of("f08282ac", 9), // overlong, 4 bytes
        Arguments.of("f4908080", 9), // above U+10FFFF
        Arguments.of("f8888080", 9), // 5-byte form
        Arguments.of("80", 9), // a continuation byte alone
        Arguments.of("41c3", 10), // truncated at the end
        Arguments.of("c3a9eda080", 11));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("utf8")
  void findsTheFirstByteThatIsNotWellFormedUtf8(String hex, int expected) {
    byte[] tail = HexFormat.of().parseHex(hex);
    byte[] doc = new byte[9 + tail.length];
    System.arraycopy("{\"a\":\"bcd".getBytes(StandardCharsets.US_ASCII), 0, doc, 0, 9);
    System.arraycopy(tail, 0, doc, 9, tail.length);
    assertThat(Unicode.invalidUtf8(doc)).isEqualTo(expected);
  }

  @Test
  void asciiOfEveryLengthIsWellFormed() {
    for (int n = 0; n < 40; n++) {
      byte[] b = "x".repeat(n).getBytes(StandardCharsets.US_ASCII);
      assertThat(Unicode.invalidUtf8(b)).isEqualTo(-1);
      if (n > 0) {
        b[n - 1] = (byte) 0xFF;
        assertThat(Unicode.invalidUtf8(b)).isEqualTo(n - 1);
      }
    }
  }

  @Test
  void findsUnpairedSurrogates() {
    assertThat(Unicode.unpairedSurrogate("plain \u00e9\u20ac\uFFFD")).isEqualTo(-1);
    assertThat(Unicode.unpairedSurrogate("\uD83D\uDE00\uDBFF\uDFFF")).isEqualTo(-1);
    assertThat(Unicode.unpairedSurrogate("ab\uD800")).isEqualTo(2);
    assertThat(Unicode.unpairedSurrogate("a\uDC00b")).isEqualTo(1);
    assertThat(Unicode.unpairedSurrogate("\uDE00\uD83D")).isZero();
    assertThat(Unicode.unpairedSurrogate("\uD83D\uD83D\uDE00")).isZero();
  }

  @Test
  void countsUtf8BytesAsJavaEncodesThem() {
    String s = "a\u00e9\u20ac\uD83D\uDE00\uFFFD";
    assertThat(Unicode.utf8Length(s, 0, s.length()))
        .isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
    assertThat(Unicode.utf8Length(s, 1, 3)).isEqualTo(5);
  }
}
