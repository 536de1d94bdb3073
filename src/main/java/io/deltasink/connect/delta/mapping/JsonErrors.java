package io.deltasink.connect.delta.mapping;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;

/**
 * Why a document is not JSON, in words that hold none of its content: Jackson's messages quote the
 * offending token ({@code Unrecognized token 'JohnSmith'}), and bad-record reasons are logged and
 * sent to the dead-letter queue's headers, while records can hold personal data. The kind of
 * problem and its line and column are kept.
 */
final class JsonErrors {
  /**
   * Jackson message prefixes (jackson-core 2.x parsers, databind's trailing-token check) and their
   * kinds.
   */
  private static final String[][] KINDS = {
    {"Unexpected end-of-input", "unexpected end of input"},
    {"Unexpected character", "unexpected character"},
    {"Unexpected close marker", "a closing bracket that does not match"},
    {"Unrecognized token", "unrecognized token"},
    {"Unrecognized character escape", "invalid escape sequence"},
    {"Invalid UTF-8", "invalid UTF-8"},
    {"Unexpected byte", "invalid UTF-8"},
    {"Illegal unquoted character", "unescaped control character in a string"},
    {"Illegal character", "illegal character"},
    {"Invalid numeric value", "invalid number"},
    {"Malformed numeric value", "invalid number"},
    {"Leading zeroes", "invalid number"},
    {"No digit following", "invalid number"},
    {"Decimal point not followed", "invalid number"},
    {"Non-standard token", "invalid number"},
    {"Numeric value", "number out of range"},
    {"Trailing token", "content after the JSON value"},
    {"Expected space separating root-level values", "content after the JSON value"},
    {"Duplicate field", "duplicate field"},
  };

  private JsonErrors() {}

  /**
   * {@code malformed JSON: <kind> at line L column C}. A {@link StreamConstraintsException} keeps
   * Jackson's message, which holds only sizes and limits (nesting depth, number or string length).
   */
  static String describe(JsonProcessingException e) {
    JsonLocation at = e.getLocation();
    return "malformed JSON: "
        + kind(e)
        + (at == null || at.getLineNr() < 0
            ? ""
            : " at line " + at.getLineNr() + " column " + at.getColumnNr());
  }

  static String kind(JsonProcessingException e) {
    if (e instanceof StreamConstraintsException) {
      return e.getOriginalMessage();
    }
    String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    for (String[] k : KINDS) {
      if (message.startsWith(k[0])) {
        return k[1];
      }
    }
    return "not valid JSON (" + e.getClass().getSimpleName() + ")";
  }
}
