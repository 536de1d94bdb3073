package io.deltasink.connect.delta.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Builds and checks table locations so that no topic name or routing entry can point a table
 * outside the configured root: names are limited to {@code [A-Za-z0-9_.-]+} without {@code ..}, and
 * an explicit location must normalize (after percent-decoding) to a path strictly below the root,
 * on the same scheme and authority.
 */
public final class Locations {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.-]+");

  private Locations() {}

  /**
   * @throws IllegalArgumentException saying why {@code name} cannot be a path segment
   */
  public static String checkName(String what, String name) {
    if (name == null || name.isEmpty()) {
      throw new IllegalArgumentException(what + " is empty");
    }
    if (!NAME.matcher(name).matches() || name.contains("..") || name.equals(".")) {
      throw new IllegalArgumentException(
          what
              + " '"
              + name
              + "' is not allowed: use letters, digits, '_', '-' and '.' "
              + "(no '..'), so that it cannot leave the table root");
    }
    return name;
  }

  /** {@code root/segment/...}, each segment checked with {@link #checkName}. */
  public static String under(String root, String... segments) {
    StringBuilder sb = new StringBuilder(stripSlash(root));
    for (String s : segments) {
      if (s != null) {
        sb.append('/').append(checkName("table path segment", s));
      }
    }
    return sb.toString();
  }

  /**
   * @throws IllegalArgumentException when {@code location} is not strictly inside {@code root}
   */
  public static String requireInside(String root, String location) {
    URI r = parse(stripSlash(root));
    URI l = parse(stripSlash(location));
    String rootPath = normalizedPath(r);
    String path = normalizedPath(l);
    if (!Objects.equals(r.getScheme(), l.getScheme())
        || !Objects.equals(r.getAuthority(), l.getAuthority())
        || !path.startsWith(rootPath.endsWith("/") ? rootPath : rootPath + "/")
        || path.length() <= rootPath.length() + 1) {
      throw new IllegalArgumentException(
          "location '" + location + "' is not inside the table root '" + root + "'");
    }
    return stripSlash(location);
  }

  private static String normalizedPath(URI u) {
    String path = u.getPath(); // percent-decoded
    if (path == null || path.contains("\\")) {
      throw new IllegalArgumentException("'" + u + "' has no usable path");
    }
    String raw = u.getRawPath();
    if (raw != null && raw.toLowerCase(java.util.Locale.ROOT).matches(".*%(2f|5c|2e).*")) {
      throw new IllegalArgumentException("'" + u + "' contains an encoded separator or dot");
    }
    try {
      return new URI("file", null, path, null).normalize().getPath();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + u + "' has no usable path: " + e.getMessage());
    }
  }

  private static URI parse(String s) {
    try {
      return new URI(s);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("'" + s + "' is not a valid URI: " + e.getMessage());
    }
  }

  static String stripSlash(String s) {
    String t = s.trim();
    while (t.endsWith("/") && !t.endsWith(":///") && t.length() > 1) {
      t = t.substring(0, t.length() - 1);
    }
    return t;
  }
}
