package dev.randomchat.hardening;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 request written byte for byte on a connection of its own, as a hostile client can
 * write it: any path, any header, any size, from any local address. The connection is closed by
 * the request ({@code Connection: close}), so the answer is everything read until the end.
 */
final class RawHttp {

    /** A healthy answer takes milliseconds; a busy machine gets generous room. */
    static final Duration ANSWER = Duration.ofSeconds(10);

    private final String method;
    private final String target;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private byte[] body;
    private InetAddress from = InetAddress.getLoopbackAddress();

    private RawHttp(String method, String target) {
        this.method = method;
        this.target = target;
    }

    static RawHttp request(String method, String target) {
        return new RawHttp(method, target);
    }

    RawHttp header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    RawHttp body(String contentType, byte[] bytes) {
        if (contentType != null) {
            headers.put("Content-Type", contentType);
        }
        this.body = bytes;
        return this;
    }

    RawHttp body(String contentType, String text) {
        return body(contentType, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends from this local address (any of 127.0.0.0/8 works on Linux loopback). */
    RawHttp from(InetAddress local) {
        this.from = local;
        return this;
    }

    @Override
    public String toString() {
        String shown = target.length() > 80 ? target.substring(0, 80) + "..." : target;
        return method + " " + shown + (body == null ? "" : " (" + body.length + " bytes)");
    }

    Response send(int port) {
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
    record Response(int status, Map<String, List<String>> headers, String body) {

        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.get(0);
        }

        List<String> all(String name) {
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
                int colon = lines[i].indexOf(':');
                headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(lines[i].substring(colon + 1).trim());
            }
            byte[] body = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
            List<String> encoding = headers.getOrDefault("transfer-encoding", List.of());
            if (encoding.stream().anyMatch(value -> value.contains("chunked"))) {
                body = dechunk(body);
            }
            return new Response(status, headers, new String(body, StandardCharsets.UTF_8));
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
}
