package dev.randomchat.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 on a bare socket, the tests' one raw HTTP client, in two ways:
 * <ul>
 * <li>{@link #request}: one request written byte for byte on a connection of its own, as a hostile
 *     client can write it: any path, any header, any size, from any local address. The request
 *     closes the connection ({@code Connection: close}), so the answer is everything read until the end.
 * <li>{@link #keepAlive}: one connection kept alive, requests strictly one after the other, as a
 *     browser or a load balancer sends them; unlike {@link java.net.http.HttpClient} it never
 *     opens a second connection.
 * </ul>
 */
public final class RawHttp {

    /** A healthy answer takes milliseconds; a busy machine gets generous room. */
    public static final Duration ANSWER = Duration.ofSeconds(10);

    private final String method;
    private final String target;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private byte[] body;
    private InetAddress from = InetAddress.getLoopbackAddress();

    private RawHttp(String method, String target) {
        this.method = method;
        this.target = target;
    }

    public static RawHttp request(String method, String target) {
        return new RawHttp(method, target);
    }

    public RawHttp header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public RawHttp body(String contentType, byte[] bytes) {
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        this.body = bytes;
        return this;
    }

    public RawHttp body(String contentType, String text) {
        return body(contentType, text.getBytes(StandardCharsets.UTF_8));
    }

    /** An address of 127.0.0.0/8 to send {@link #from}, written as a literal (nothing is looked up). */
    public static InetAddress localAddress(String literal) {
        try {
            return InetAddress.getByName(literal);
        }
        catch (UnknownHostException ex) {
            throw new IllegalArgumentException(literal + " is not an IP address", ex);
        }
    }

    /** Sends from this local address (any of 127.0.0.0/8 works on Linux loopback). */
    public RawHttp from(InetAddress local) {
        this.from = local;
        return this;
    }

    @Override
    public String toString() {
        String shown = target.length() > 80 ? target.substring(0, 80) + "..." : target;
        return method + " " + shown + (body == null ? "" : " (" + body.length + " bytes)");
    }

    public Response send(int port) {
        try (Socket socket = new Socket()) {
            socket.bind(new InetSocketAddress(from, 0));
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), (int) ANSWER.toMillis());
            socket.setSoTimeout((int) ANSWER.toMillis());
            write(socket.getOutputStream(), port);
            return Response.parse(readAll(socket.getInputStream()));
        }
        catch (IOException ex) {
            throw new IllegalStateException(this + " failed: " + ex, ex);
        }
    }

    private void write(OutputStream out, int port) throws IOException {
        StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        if (headers.keySet().stream().noneMatch("Host"::equalsIgnoreCase)) {
            head.append("Host: 127.0.0.1:").append(port).append("\r\n");
        }
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        if (body != null) {
            head.append("Content-Length: ").append(body.length).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        try {
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            if (body != null) {
                out.write(body);
            }
            out.flush();
        }
        catch (IOException ex) {
            // A server may answer (431, 413) and close before it read everything: read that answer.
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try {
            for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
                all.write(chunk, 0, n);
            }
        }
        catch (IOException ex) {
            // A reset after the answer (the server closed while we still wrote) ends the stream too.
            if (all.size() == 0) {
                throw ex;
            }
        }
        return all.toByteArray();
    }

    /** An answer; header names in lower case, each with every value it came with. */
    public record Response(int status, Map<String, List<String>> headers, String body) {

        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.get(0);
        }

        public List<String> all(String name) {
            return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
        }

        static Response parse(byte[] raw) {
            int end = indexOf(raw, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            if (end < 0) {
                throw new IllegalStateException("no complete HTTP head in " + raw.length + " bytes: "
                        + new String(raw, StandardCharsets.ISO_8859_1));
            }
            String[] lines = new String(raw, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                addHeader(headers, lines[i]);
            }
            byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
            List<String> encoding = headers.getOrDefault("transfer-encoding", List.of());
            if (encoding.stream().anyMatch(value -> value.contains("chunked"))) {
                body = dechunk(body);
            }
            return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
        }

        /** Adds a {@code Name: value} line, the name in lower case. */
        private static void addHeader(Map<String, List<String>> headers, String line) {
            int colon = line.indexOf(':');
            headers.computeIfAbsent(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }

        private static byte[] dechunk(byte[] chunked) {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            int at = 0;
            while (at < chunked.length) {
                int lineEnd = indexOf(chunked, "\r\n".getBytes(StandardCharsets.US_ASCII), at);
                if (lineEnd < 0) {
                    break;
                }
                String sizeLine = new String(chunked, at, lineEnd - at, StandardCharsets.US_ASCII).split(";")[0].trim();
                int size = Integer.parseInt(sizeLine, 16);
                if (size == 0) {
                    break;
                }
                body.write(chunked, lineEnd + 2, Math.min(size, chunked.length - lineEnd - 2));
                at = lineEnd + 2 + size + 2;
            }
            return body.toByteArray();
        }

        private static int indexOf(byte[] data, byte[] pattern) {
            return indexOf(data, pattern, 0);
        }

        private static int indexOf(byte[] data, byte[] pattern, int from) {
            outer:
            for (int i = from; i <= data.length - pattern.length; i++) {
                for (int j = 0; j < pattern.length; j++) {
                    if (data[i + j] != pattern[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }

    /** One line of an HTTP head, without its CR LF; fails when the connection ends first. */
    public static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed by the server");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    /**
     * One answer read from {@code in}: the status line, the head, and a body of its
     * {@code Content-Length} or in chunks; the connection is left open after it.
     */
    public static Response readResponse(InputStream in) throws IOException {
        String status = readLine(in);
        Map<String, List<String>> headers = new LinkedHashMap<>();
        for (String header = readLine(in); !header.isEmpty(); header = readLine(in)) {
            Response.addHeader(headers, header);
        }
        Response head = new Response(Integer.parseInt(status.split(" ")[1]), headers, "");
        boolean chunked = head.all("transfer-encoding").stream().anyMatch(value -> value.contains("chunked"));
        String length = head.header("content-length");
        byte[] body = chunked ? chunkedBody(in) : in.readNBytes(length == null ? 0 : Integer.parseInt(length));
        return new Response(head.status(), headers, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] chunkedBody(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (int size = Integer.parseInt(readLine(in).trim(), 16); size > 0; size = Integer.parseInt(readLine(in).trim(), 16)) {
            body.write(in.readNBytes(size));
            readLine(in);
        }
        readLine(in);
        return body.toByteArray();
    }

    /** One request on a keep-alive connection of its own, so no earlier exchange can affect it. */
    public static Response once(int port, Duration timeout, String method, String path) throws IOException {
        try (Connection connection = keepAlive(port, timeout)) {
            return connection.exchange(method, path, null, null);
        }
    }

    /** A connection kept alive; each answer must start within {@code timeout}, or the exchange fails. */
    public static Connection keepAlive(int port, Duration timeout) throws IOException {
        return new Connection(port, timeout);
    }

    /** One HTTP/1.1 connection kept alive, requests strictly one after the other. */
    public static final class Connection implements AutoCloseable {

        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        private Connection(int port, Duration timeout) throws IOException {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout((int) timeout.toMillis());
            in = socket.getInputStream();
            out = socket.getOutputStream();
        }

        /**
         * Sends {@code method path} with an optional JSON body and bearer token; the answer.
         *
         * @throws java.net.SocketTimeoutException when no answer comes in time
         */
        public Response exchange(String method, String path, String json, String bearer) throws IOException {
            byte[] body = json == null ? new byte[0] : json.getBytes(StandardCharsets.UTF_8);
            StringBuilder head = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(socket.getPort()).append("\r\n");
            if (bearer != null) {
                head.append("Authorization: Bearer ").append(bearer).append("\r\n");
            }
            if (json != null) {
                head.append("Content-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
            }
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return readResponse(in);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
