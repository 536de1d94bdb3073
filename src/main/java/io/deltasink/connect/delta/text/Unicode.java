package io.deltasink.connect.delta.text;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Checks that text can be stored as UTF-8, the encoding of Parquet strings, Delta partition values
 * and file names, without being changed on the way:
 *
 * <ul>
 *   <li>incoming bytes must be well-formed UTF-8 (RFC 3629): no overlong forms, no encoded
 *       surrogates (CESU-8), nothing above U+10FFFF, no truncated sequence. Jackson's byte parser
 *       decodes some of these into other characters instead of failing;
 *   <li>Java strings (UTF-16) must hold no unpaired surrogate: it has no UTF-8 form, and Java's
 *       encoder silently writes {@code '?'} for it.
 * </ul>
 *
 * Both are cheap for ASCII, the common case: bytes are tested 8 at a time, and the JIT drops the
 * surrogate test for strings that hold only Latin-1 characters.
 */
public final class Unicode {
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long HIGH_BITS = 0x8080808080808080L;

  private Unicode() {}

  /**
   * The offset of the first byte of {@code bytes} that does not start a well-formed UTF-8 sequence
   * (RFC 3629, as Java's decoder reads it), or -1 when all of it is well-formed.
   */
  public static int invalidUtf8(byte[] bytes) {
    int i = 0;
    int n = bytes.length;
    while (i + Long.BYTES <= n && ((long) LONGS.get(bytes, i) & HIGH_BITS) == 0) {
      i += Long.BYTES;
    }
    while (i < n && bytes[i] >= 0) {
      i++;
    }
    if (i == n) {
      return -1;
    }
    // Not ASCII from i on: Java's decoder, which rejects what RFC 3629 rejects, checks the rest.
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes, i, n - i);
    CoderResult result = decoder.decode(in, CharBuffer.allocate(n - i), true);
    if (!result.isError()) {
      result = decoder.flush(CharBuffer.allocate(0));
    }
    return result.isError() ? in.position() : -1;
  }

  /**
   * The index of the first unpaired surrogate in {@code s}, or -1 when every surrogate is paired.
   */
  public static int unpairedSurrogate(CharSequence s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c)
            && i + 1 < n
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }

  /** UTF-8 length (bytes) of {@code s[start, end)}, whose surrogates are paired. */
  public static int utf8Length(CharSequence s, int start, int end) {
    int bytes = 0;
    for (int i = start; i < end; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4; // the pair is one 4-byte code point
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }
}
