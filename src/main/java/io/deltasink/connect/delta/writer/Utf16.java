package io.deltasink.connect.delta.writer;

/**
 * Checks on Java strings (UTF-16) before they are stored as UTF-8, which Parquet strings, Delta
 * partition values and file names are. An unpaired surrogate has no UTF-8 form: Java's encoder
 * silently writes {@code '?'} for it, which would store a different value.
 */
final class Utf16 {
  private Utf16() {}

  /** The index of the first unpaired surrogate in {@code s}, or -1 when every surrogate is paired. */
  static int unpairedSurrogate(CharSequence s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }

  /** UTF-8 length (bytes) of {@code s[start, end)}, whose surrogates are paired. */
  static int utf8Length(CharSequence s, int start, int end) {
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
