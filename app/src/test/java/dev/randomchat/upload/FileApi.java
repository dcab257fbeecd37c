package dev.randomchat.upload;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.RawHttp;

/** Uploads and downloads over real HTTP, as a browser or a misbehaving client would send them. */
final class FileApi {

    static final String BOUNDARY = "----rc-test-boundary-7MA4YWxkTrZu0gW";
    /** A bound on every exchange; uploads here are at most a few megabytes over loopback. */
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final ChatServer server;

    FileApi(ChatServer server) {
        this.server = server;
    }

    /** Uploads {@code content} in the part {@code file}, with a Content-Length. */
    HttpResponse<String> upload(String channelId, String token, String filename, String declaredType, byte[] content) {
        return send(request(channelId, token)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body("file", filename, declaredType, content)))
                .build());
    }

    /** The same, sent chunked: no Content-Length, so only counting can stop it. */
    HttpResponse<String> uploadChunked(String channelId, String token, String filename, byte[] content) {
        byte[] body = body("file", filename, "application/octet-stream", content);
        return send(request(channelId, token)
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
                .build());
    }

    /** A raw multipart body with whatever parts the test wants. */
    HttpResponse<String> uploadBody(String channelId, String token, String contentType, byte[] body) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(server.uri("/api/channels/" + channelId + "/files"))
                .timeout(TIMEOUT)
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return send(builder.build());
    }

    /**
     * A GET of a file URL with no headers at all, as an {@code <img src>} would, on a connection of
     * its own. A streamed response ends with a separate last write; a client as fast as this one
     * can send its next request on the connection before that write, which Reactor Netty 1.3.7
     * queues as pipelined and then never reads on (reactor/reactor-netty#4361, fixed after 1.3.7).
     */
    HttpResponse<byte[]> download(String url) {
        try {
            return HttpClient.newBuilder().connectTimeout(TIMEOUT).build()
                    .send(HttpRequest.newBuilder(server.uri(url)).timeout(TIMEOUT).GET().build(),
                            HttpResponse.BodyHandlers.ofByteArray());
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
        catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Streams a {@code fileBytes} upload on a bare socket, slowly enough that the server can answer
     * long before the end, and stops sending once it has. With {@code declareLength} the request
     * says its true Content-Length; without, it is chunked.
     */
    RawAnswer uploadRaw(String channelId, String token, long fileBytes, boolean declareLength) throws Exception {
        byte[] head = partHead("file", "big.bin", "application/octet-stream");
        byte[] tail = ("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        long total = head.length + fileBytes + tail.length;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            StringBuilder request = new StringBuilder("POST /api/channels/").append(channelId).append("/files HTTP/1.1\r\n")
                    .append("Host: 127.0.0.1:").append(server.port()).append("\r\n")
                    .append("Authorization: Bearer ").append(token).append("\r\n")
                    .append("Content-Type: multipart/form-data; boundary=").append(BOUNDARY).append("\r\n");
            request.append(declareLength ? "Content-Length: " + total + "\r\n" : "Transfer-Encoding: chunked\r\n");
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            CompletableFuture<RawHttp.Response> answer = CompletableFuture.supplyAsync(() -> readResponse(socket));
            long sent = 0;
            boolean refusedWrite = false;
            try {
                sent += write(out, head, declareLength);
                byte[] chunk = new byte[64 * 1024];
                new Random(7).nextBytes(chunk);
                for (long left = fileBytes; left > 0 && !answer.isDone(); left -= chunk.length) {
                    sent += write(out, left >= chunk.length ? chunk : Arrays.copyOf(chunk, (int) left), declareLength);
                    // ~30 MB/s: a 50 MB body would take over a second and a half, the answer comes far sooner.
                    TimeUnit.MILLISECONDS.sleep(2);
                }
                if (!answer.isDone()) {
                    sent += write(out, tail, declareLength);
                    if (!declareLength) {
                        out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    out.flush();
                }
            }
            catch (IOException ex) {
                // The server closed the connection: it stopped reading.
                refusedWrite = true;
            }
            RawHttp.Response response = answer.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return new RawAnswer(response, sent, total, refusedWrite);
        }
    }

    private static long write(OutputStream out, byte[] bytes, boolean declareLength) throws IOException {
        if (!declareLength) {
            out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        }
        out.write(bytes);
        if (!declareLength) {
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return bytes.length;
    }

    private static RawHttp.Response readResponse(Socket socket) {
        try {
            return RawHttp.readResponse(socket.getInputStream());
        }
        catch (IOException ex) {
            throw new IllegalStateException("no answer from the server", ex);
        }
    }

    /** A multipart body with one part. */
    static byte[] body(String field, String filename, String declaredType, byte[] content) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(partHead(field, filename, declaredType));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    /** A multipart body with one text field and no file. */
    static byte[] fieldOnly(String field, String value) {
        return ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + field + "\"\r\n\r\n" + value
                + "\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8);
    }

    static String multipartType() {
        return "multipart/form-data; boundary=" + BOUNDARY;
    }

    private static byte[] partHead(String field, String filename, String declaredType) {
        return ("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + field + "\"; filename=\"" + filename
                + "\"\r\nContent-Type: " + declaredType + "\r\n\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private HttpRequest.Builder request(String channelId, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(server.uri("/api/channels/" + channelId + "/files"))
                .timeout(TIMEOUT)
                .header("Content-Type", multipartType());
        if (token != null) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    private static HttpResponse<String> send(HttpRequest request) {
        return Guests.send(request);
    }

    /**
     * @param sentWhenAnswered body bytes written when the answer had arrived or the server closed
     *        (within one 64 KiB chunk)
     * @param bodyBytes the size of the whole body
     * @param refusedWrite whether the server closed the connection while the client was still sending
     */
    record RawAnswer(RawHttp.Response response, long sentWhenAnswered, long bodyBytes, boolean refusedWrite) {
    }
}
