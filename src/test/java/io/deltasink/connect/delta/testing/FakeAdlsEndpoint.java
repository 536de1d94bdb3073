package io.deltasink.connect.delta.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A small in-memory stand-in for the ADLS Gen2 DFS REST API on 127.0.0.1, enough for the ABFS
 * driver's path status, create, append, flush, read, list and access-control calls (Azure Storage
 * "Data Lake Storage Gen2" REST reference: Path - Create / Update / Read / Get Properties,
 * Filesystem - List Paths). With {@code fs.azure.abfs.endpoint=127.0.0.1:<port>} the driver sends
 * {@code http://127.0.0.1:<port>/<account>/<filesystem>/<path>}. It records every request's method,
 * path, query and {@code Authorization} header.
 */
public final class FakeAdlsEndpoint implements AutoCloseable {
  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;
  private final HttpServer server;
  private final Map<String, ByteArrayOutputStream> files = new TreeMap<>();
  private final Map<String, Boolean> directories = new TreeMap<>();

  /** "METHOD path?query" of every request, in order. */
  public final List<String> requests = Collections.synchronizedList(new ArrayList<>());

  /** The Authorization header of every request that had one. */
  public final List<String> authorizations = Collections.synchronizedList(new ArrayList<>());

  public FakeAdlsEndpoint() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
    directories.put("", true);
  }

  /** {@code 127.0.0.1:<port>}, the value for {@code fs.azure.abfs.endpoint}. */
  public String endpoint() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  private synchronized void handle(HttpExchange x) throws IOException {
    try (x) {
      String rawPath = x.getRequestURI().getRawPath();
      String query = x.getRequestURI().getRawQuery() == null ? "" : x.getRequestURI().getRawQuery();
      // HttpURLConnection has no PATCH: the driver sends PUT with X-Http-Method-Override.
      String override = x.getRequestHeaders().getFirst("X-Http-Method-Override");
      String method = override != null ? override : x.getRequestMethod();
      requests.add(method + " " + rawPath + (query.isEmpty() ? "" : "?" + query));
      String auth = x.getRequestHeaders().getFirst("Authorization");
      if (auth != null) {
        authorizations.add(auth);
      }
      Map<String, String> q = query(query);
      // /<account>/<filesystem>/<path>
      String[] parts = URLDecoder.decode(rawPath, StandardCharsets.UTF_8).split("/", 4);
      String path = parts.length > 3 ? trim(parts[3]) : "";
      byte[] body = x.getRequestBody().readAllBytes();
      switch (method) {
        case "HEAD" -> head(x, path, q);
        case "PUT" -> put(x, path, q);
        case "PATCH" -> patch(x, path, q, body);
        case "GET" -> get(x, path, q);
        case "DELETE" -> {
          files.remove(path);
          directories.remove(path);
          x.sendResponseHeaders(200, -1);
        }
        default -> error(x, 400, "UnsupportedHttpVerb");
      }
    }
  }

  private void head(HttpExchange x, String path, Map<String, String> q) throws IOException {
    if ("getAccessControl".equals(q.get("action"))) {
      x.getResponseHeaders().add("x-ms-owner", "$superuser");
      x.getResponseHeaders().add("x-ms-group", "$superuser");
      x.getResponseHeaders().add("x-ms-permissions", "rwxr-x---");
      x.getResponseHeaders().add("x-ms-acl", "user::rwx,group::r-x,other::---");
      x.sendResponseHeaders(200, -1);
      return;
    }
    if (files.containsKey(path)) {
      properties(x, "file", files.get(path).size());
      x.sendResponseHeaders(200, -1);
    } else if (directories.containsKey(path)) {
      properties(x, "directory", 0);
      x.sendResponseHeaders(200, -1);
    } else {
      x.getResponseHeaders().add("x-ms-error-code", "PathNotFound");
      x.sendResponseHeaders(404, -1);
    }
  }

  private void properties(HttpExchange x, String type, long length) {
    x.getResponseHeaders().add("x-ms-resource-type", type);
    x.getResponseHeaders().add("Content-Length", Long.toString(length));
    x.getResponseHeaders()
        .add("Last-Modified", HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)));
    x.getResponseHeaders().add("ETag", "\"0x1\"");
    x.getResponseHeaders().add("x-ms-owner", "$superuser");
    x.getResponseHeaders().add("x-ms-group", "$superuser");
    x.getResponseHeaders().add("x-ms-permissions", "rw-r-----");
  }

  private void put(HttpExchange x, String path, Map<String, String> q) throws IOException {
    if ("directory".equals(q.get("resource"))) {
      for (String p = path;
          !p.isEmpty();
          p = p.contains("/") ? p.substring(0, p.lastIndexOf('/')) : "") {
        directories.put(p, true);
      }
    } else if ("file".equals(q.get("resource"))) {
      if (files.containsKey(path) && "*".equals(x.getRequestHeaders().getFirst("If-None-Match"))) {
        error(x, 409, "PathAlreadyExists");
        return;
      }
      files.put(path, new ByteArrayOutputStream());
      String parent = path.contains("/") ? path.substring(0, path.lastIndexOf('/')) : "";
      for (String p = parent;
          !p.isEmpty();
          p = p.contains("/") ? p.substring(0, p.lastIndexOf('/')) : "") {
        directories.put(p, true);
      }
    } else {
      error(x, 400, "InvalidQueryParameterValue");
      return;
    }
    x.getResponseHeaders().add("ETag", "\"0x1\"");
    x.sendResponseHeaders(201, -1);
  }

  private void patch(HttpExchange x, String path, Map<String, String> q, byte[] body)
      throws IOException {
    ByteArrayOutputStream f = files.get(path);
    if (f == null) {
      error(x, 404, "PathNotFound");
      return;
    }
    if ("append".equals(q.get("action"))) {
      f.write(body);
      x.sendResponseHeaders(202, -1);
    } else {
      x.getResponseHeaders().add("ETag", "\"0x1\"");
      x.sendResponseHeaders(200, -1);
    }
  }

  private void get(HttpExchange x, String path, Map<String, String> q) throws IOException {
    if ("filesystem".equals(q.get("resource"))) {
      String dir = trim(q.getOrDefault("directory", ""));
      if (!directories.containsKey(dir)) {
        error(x, 404, "PathNotFound");
        return;
      }
      StringBuilder json = new StringBuilder("{\"paths\":[");
      String prefix = dir.isEmpty() ? "" : dir + "/";
      boolean first = true;
      for (Map.Entry<String, ByteArrayOutputStream> e : files.entrySet()) {
        String name = e.getKey();
        if (name.startsWith(prefix) && !name.substring(prefix.length()).contains("/")) {
          json.append(first ? "" : ",")
              .append("{\"name\":\"")
              .append(name)
              .append("\",\"contentLength\":\"")
              .append(e.getValue().size())
              .append("\",\"lastModified\":\"")
              .append(HTTP_DATE.format(ZonedDateTime.now(ZoneOffset.UTC)))
              .append("\",\"etag\":\"0x1\"}");
          first = false;
        }
      }
      byte[] out = json.append("]}").toString().getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().add("Content-Type", "application/json");
      x.sendResponseHeaders(200, out.length);
      x.getResponseBody().write(out);
      return;
    }
    ByteArrayOutputStream f = files.get(path);
    if (f == null) {
      error(x, 404, "PathNotFound");
      return;
    }
    byte[] data = f.toByteArray();
    int from = 0;
    int to = data.length - 1;
    String range = x.getRequestHeaders().getFirst("Range");
    if (range != null && range.startsWith("bytes=")) {
      String[] r = range.substring(6).split("-");
      from = Integer.parseInt(r[0]);
      if (r.length > 1 && !r[1].isEmpty()) {
        to = Math.min(to, Integer.parseInt(r[1]));
      }
    }
    byte[] slice =
        java.util.Arrays.copyOfRange(data, Math.min(from, data.length), Math.max(from, to + 1));
    x.getResponseHeaders().add("ETag", "\"0x1\"");
    x.getResponseHeaders().add("x-ms-resource-type", "file");
    x.sendResponseHeaders(range != null ? 206 : 200, slice.length == 0 ? -1 : slice.length);
    if (slice.length > 0) {
      x.getResponseBody().write(slice);
    }
  }

  private static void error(HttpExchange x, int status, String code) throws IOException {
    byte[] body =
        ("{\"error\":{\"code\":\""
                + code
                + "\",\"message\":\""
                + code
                + " (fake ADLS endpoint)\"}}")
            .getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().add("x-ms-error-code", code);
    x.getResponseHeaders().add("Content-Type", "application/json");
    x.sendResponseHeaders(status, body.length);
    try (OutputStream o = x.getResponseBody()) {
      o.write(body);
    }
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> q = new HashMap<>();
    for (String kv : raw.split("&")) {
      if (!kv.isEmpty()) {
        int i = kv.indexOf('=');
        q.put(
            URLDecoder.decode(i < 0 ? kv : kv.substring(0, i), StandardCharsets.UTF_8),
            i < 0 ? "" : URLDecoder.decode(kv.substring(i + 1), StandardCharsets.UTF_8));
      }
    }
    return q;
  }

  private static String trim(String p) {
    String s = p.startsWith("/") ? p.substring(1) : p;
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
