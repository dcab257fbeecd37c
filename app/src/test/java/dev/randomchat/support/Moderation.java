package dev.randomchat.support;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import javax.imageio.ImageIO;

import tools.jackson.databind.JsonNode;

/**
 * The operators' side of the tests: admin API calls with a token (on the management port), and a report made the way
 * strangers make one (a pair chats, one sends a text and a picture, the other reports it).
 */
public final class Moderation {

    public static final String ADMIN_TOKEN = "admin-token-for-console-tests-0123456789";
    private static final String BOUNDARY = "moderation-test-boundary";

    private final ChatServer server;
    private final String token;

    public Moderation(ChatServer server, String token) {
        this.server = server;
        this.token = token;
    }

    public HttpResponse<String> get(String path) {
        return Guests.send(request(path).GET().build());
    }

    public HttpResponse<String> post(String path, String json) {
        return Guests.send(request(path).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    public HttpResponse<String> delete(String path) {
        return Guests.send(request(path).DELETE().build());
    }

    /** The body of a 200 answer, as JSON; fails with the status and body otherwise. */
    public JsonNode json(HttpResponse<String> response) {
        if (response.statusCode() / 100 != 2) {
            throw new AssertionError("admin API answered " + response.statusCode() + ": " + response.body());
        }
        return Guests.JSON.readTree(response.body());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(server.managementUri(path)).timeout(WsClient.WAIT);
        return token == null ? builder : builder.header("Authorization", "Bearer " + token);
    }

    /**
     * Ada (on {@code first}) and Bob (on {@code second}) are paired; Bob sends {@code text} and a
     * small PNG, Ada reports him with {@code reason} and a note. Both stay connected.
     */
    public static Reported report(ChatServer first, ChatServer second, String reason, String text) {
        MatchedPair pair = MatchedPair.match(first, second);
        pair.bob.send(Map.of("type", "send", "cmid", "m1", "text", text));
        pair.bob.await("ack");
        HttpResponse<String> upload = uploadPng(second.uri("/api/channels/" + pair.channelId + "/files"), pair.bobToken);
        if (upload.statusCode() != 201 && upload.statusCode() != 200) {
            throw new AssertionError("upload answered " + upload.statusCode() + ": " + upload.body());
        }
        String fileId = Guests.JSON.readTree(upload.body()).get("id").asString();
        pair.bob.send(Map.of("type", "file", "cmid", "m2", "fileId", fileId));
        pair.bob.await("ack");
        pair.ada.socket().await(frame -> "message".equals(frame.path("type").asString())
                && "m2".equals(frame.path("cmid").asString()), WsClient.WAIT);
        pair.ada.send(Map.of("type", "report", "reason", reason, "note", "reported by a test"));
        pair.ada.await("reported");
        pair.ada.await("ended");
        pair.bob.await("ended");
        return new Reported(pair.ada, pair.bob, pair.channelId, fileId);
    }

    /** Uploads {@link #png()} as {@code evidence.png} with this channel token (none when null). */
    public static HttpResponse<String> uploadPng(URI files, String channelToken) {
        HttpRequest.Builder request = HttpRequest.newBuilder(files)
                .timeout(WsClient.WAIT)
                .header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(multipart("evidence.png", png())));
        if (channelToken != null) {
            request.header("Authorization", "Bearer " + channelToken);
        }
        return Guests.send(request.build());
    }

    /** A 48x32 two-colour PNG. */
    public static byte[] png() {
        BufferedImage image = new BufferedImage(48, 32, BufferedImage.TYPE_INT_RGB);
        var graphics = image.createGraphics();
        graphics.setColor(new Color(0x3730a3));
        graphics.fillRect(0, 0, 48, 32);
        graphics.setColor(new Color(0xfbbf24));
        graphics.fillOval(8, 4, 24, 24);
        graphics.dispose();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    private static byte[] multipart(String filename, byte[] content) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + filename
                + "\"\r\nContent-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        return body.toByteArray();
    }

    /** A finished report: who reported whom, in which channel, with which file as evidence. */
    public record Reported(Visitor reporter, Visitor reported, String channelId, String fileId) implements AutoCloseable {

        @Override
        public void close() {
            reporter.close();
            reported.close();
        }
    }
}
