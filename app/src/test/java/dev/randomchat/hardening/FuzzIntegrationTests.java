package dev.randomchat.hardening;

import java.lang.management.ManagementFactory;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import dev.randomchat.hardening.HostileFrames.Answer;
import dev.randomchat.hardening.HostileFrames.Frame;
import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.RawHttp;
import dev.randomchat.support.RawWebSocket;
import dev.randomchat.support.Visitor;
import dev.randomchat.support.WsClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One live server takes thousands of hostile websocket frames and HTTP requests: each is answered
 * with an error (or, when it happens to be valid, its normal reply), and the server, the socket
 * and the chat on it live on.
 */
class FuzzIntegrationTests {

    private static final long SEED = 0x5EED_F00DL;
    private static final int FRAMES = 3_000;
    /** Frames sent before waiting for their answers: bounded, so no queue on either side can grow. */
    private static final int BATCH = 16;
    /** Raised from the default, so deeply nested JSON reaches the parser instead of the size check. */
    private static final int MAX_MESSAGE_BYTES = 32 * 1024;
    private static final int MAX_TEXT_CHARS = 2_000;
    /** Generous: the barrage must not leave anything behind that grows with the number of frames. */
    private static final long HEAP_GROWTH_BOUND = 64L * 1024 * 1024;
    private static final Duration WAIT = WsClient.WAIT;
    private static final Set<String> ERROR_CODES = Set.of("bad_request", "unknown_type", "too_large", "rate_limited",
            "invalid_token", "not_in_channel", "channel_closed", "unknown_file", "internal");
    private static final Set<String> SERVER_TYPES = Set.of("hello", "waiting", "cancelled", "matched", "joined",
            "message", "ack", "seen", "typing", "presence", "ended", "error", "pong", "reported");
    /** Events that reach the socket on their own schedule, not as the answer to one frame. */
    private static final Set<String> ASYNC_TYPES = Set.of("message", "typing", "seen", "presence");

    private static ChatServer server;

    @BeforeAll
    static void startServer() {
        server = ChatServer.start(Map.of(
                "RATE_LIMIT_PER_SECOND", "1000000",
                "RATE_LIMIT_BURST", "1000000",
                "MAX_MSG_SIZE_BYTE", Integer.toString(MAX_MESSAGE_BYTES),
                "MAX_TEXT_CHARS", Integer.toString(MAX_TEXT_CHARS)));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void answersThousandsOfHostileFramesWithErrorsAndKeepsChatting() {
        try (Visitor ada = Visitor.arrive(server, "Ada"); Visitor bob = Visitor.arrive(server, "Bob")) {
            ada.send(Map.of("type", "match"));
            ada.await("waiting");
            bob.send(Map.of("type", "match"));
            String channelId = ada.await("matched").path("channelId").asString();
            bob.await("matched");
            long heapBefore = usedHeapAfterGc();
            int start = ada.socket().frames().size();
            List<Frame> frames = new HostileFrames(SEED, MAX_MESSAGE_BYTES, MAX_TEXT_CHARS).generate(FRAMES);

            for (int i = 0; i < frames.size(); i++) {
                frames.get(i).sendTo(ada.socket());
                ada.socket().sendMalformed(marker(i));
                if (i % BATCH == BATCH - 1 || i == frames.size() - 1) {
                    ada.socket().await(isMarker(i), WAIT);
                }
            }

            List<JsonNode> received = ada.socket().frames();
            assertThat(violations(frames, received.subList(start, received.size())))
                    .as("frames answered outside the protocol")
                    .isEmpty();
            int pongs = ada.socket().frames("pong").size();
            ada.send(Map.of("type", "ping"));
            await().atMost(WAIT).until(() -> ada.socket().frames("pong").size() > pongs);
            ada.send(Map.of("type", "send", "cmid", "after-the-barrage", "text", "still here"));
            long seq = ada.socket().await(f -> "ack".equals(f.path("type").asString())
                    && "after-the-barrage".equals(f.path("cmid").asString()), WAIT).path("seq").asLong();
            JsonNode delivered = bob.socket().await(f -> "message".equals(f.path("type").asString())
                    && "after-the-barrage".equals(f.path("cmid").asString()), WAIT);
            assertThat(delivered.path("seq").asLong()).isEqualTo(seq);
            assertThat(delivered.path("text").asString()).isEqualTo("still here");
            assertThat(delivered.path("channelId").asString()).isEqualTo(channelId);
            List<Long> seqs = bob.socket().frames("message").stream().map(m -> m.path("seq").asLong()).toList();
            assertThat(seqs).as("every message the barrage stored, in order, without gaps")
                    .containsExactlyElementsOf(LongStream.rangeClosed(1, seq).boxed().toList());
            assertThat(ada.socket().isClosed()).isFalse();
            assertThat(bob.socket().isClosed()).isFalse();
            long growth = usedHeapAfterGc() - heapBefore;
            assertThat(growth).as("heap growth over %d frames, in bytes", frames.size()).isLessThan(HEAP_GROWTH_BOUND);
        }
    }

    @Test
    void closesAtMostTheSocketThatBreaksTheWebSocketRules() {
        try (Visitor ada = Visitor.arrive(server, "Ada")) {
            Map<String, RawCase> cases = new LinkedHashMap<>();
            cases.put("text frame over 64 KiB", socket -> socket.sendMalformedText(
                    "{\"type\":\"ping\",\"pad\":\"" + "x".repeat(70 * 1024) + "\"}"));
            cases.put("binary frame over 64 KiB", socket -> socket.send(true, RawWebSocket.BINARY, new byte[70 * 1024]));
            cases.put("length field of 2^62 bytes", socket -> socket.declare(RawWebSocket.TEXT, 1L << 62));
            cases.put("invalid UTF-8 in a text frame", socket -> socket.send(true, RawWebSocket.TEXT,
                    new byte[] {'{', '"', (byte) 0xC3, 0x28, '"', '}'}));
            cases.put("text frame cut inside a character", socket -> socket.send(true, RawWebSocket.TEXT,
                    new byte[] {'"', (byte) 0xE2, (byte) 0x82}));
            cases.put("ping with 126 bytes", socket -> socket.send(true, RawWebSocket.PING, new byte[126]));
            cases.put("unmasked frame", socket -> socket.send(true, 0, RawWebSocket.TEXT, ping(), false));
            cases.put("reserved bit set", socket -> socket.send(true, 4, RawWebSocket.TEXT, ping(), true));
            cases.put("reserved opcode", socket -> socket.send(true, 0, 0x3, ping(), true));
            cases.put("continuation without a start", socket -> socket.send(true, RawWebSocket.CONTINUATION, ping()));
            cases.put("fragmented control frame", socket -> socket.send(false, RawWebSocket.PING, new byte[1]));
            cases.put("close with an invalid code", socket -> socket.send(true, RawWebSocket.CLOSE,
                    new byte[] {0x03, (byte) 0xE7}));
            for (Map.Entry<String, RawCase> entry : cases.entrySet()) {
                try (RawWebSocket socket = RawWebSocket.open(server.wsUri(), ada.token())) {
                    assertThat(socket.next()).contains("\"hello\"");
                    entry.getValue().send(socket);
                    String outcome = socket.next();
                    if (!outcome.startsWith("close:")) {
                        // An error, or the reply of a frame the server chose to read anyway.
                        assertThat(Guests.JSON.readTree(outcome).path("type").asString()).as(entry.getKey())
                                .isIn("error", "pong");
                        socket.sendText("{\"type\":\"ping\"}");
                        assertThat(socket.next()).as("after %s", entry.getKey()).contains("\"pong\"");
                    }
                    else {
                        assertThat(outcome).as(entry.getKey()).isIn("close:1002", "close:1003", "close:1007", "close:1009",
                                "close:1000", "close:-1");
                    }
                }
            }
            ada.send(Map.of("type", "ping"));
            ada.await("pong");
            assertThat(ada.socket().isClosed()).as("the guest's other socket").isFalse();
            assertThat(health()).isEqualTo(200);
        }
    }

    /** RFC 6455 5.4: an endpoint must accept a message in fragments; one JSON frame may arrive so. */
    @Test
    void readsAFragmentedTextMessageAsOneFrame() {
        try (Visitor ada = Visitor.arrive(server, "Ada");
                RawWebSocket socket = RawWebSocket.open(server.wsUri(), ada.token())) {
            assertThat(socket.next()).contains("\"hello\"");

            socket.send(false, RawWebSocket.TEXT, "{\"type\":".getBytes(StandardCharsets.UTF_8));
            socket.send(false, RawWebSocket.CONTINUATION, "\"pi".getBytes(StandardCharsets.UTF_8));
            socket.send(true, RawWebSocket.CONTINUATION, "ng\"}".getBytes(StandardCharsets.UTF_8));

            assertThat(socket.next()).isEqualTo("{\"type\":\"pong\"}");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileRequests")
    void answersHostileHttpRequestsWithAClientError(String name, RawHttp request) {
        RawHttp.Response response = request.send(server.port());

        assertThat(response.status()).as("status of %s, body %s", request, response.body()).isBetween(400, 499);
        String type = response.header("Content-Type");
        if (type != null && type.contains("json")) {
            JsonNode problem = Guests.JSON.readTree(response.body());
            assertThat(type).as("content type").startsWith("application/problem+json");
            assertThat(problem.path("status").asInt()).isEqualTo(response.status());
            assertThat(problem.path("title").asString()).as("title in %s", response.body()).isNotBlank();
        }
        assertThat(response.body()).doesNotContain("root:x:0:0").doesNotContain("Exception").doesNotContain("at dev.");
        assertThat(health()).as("health after %s", request).isEqualTo(200);
    }

    /**
     * A JSON escape can carry half a surrogate pair, which is no text: the server must refuse it
     * or relay it as sent, never acknowledge it and deliver something else (UTF-8 turns it into '?').
     */
    @Test
    void refusesOrRelaysUnchangedATextThatIsNotUnicode() {
        try (Visitor ada = Visitor.arrive(server, "Ada"); Visitor bob = Visitor.arrive(server, "Bob")) {
            Visitor.pair(ada, bob);

            ada.socket().sendMalformed("{\"type\":\"send\",\"cmid\":\"lone\",\"text\":\"a\\ud800b\"}");
            JsonNode outcome = ada.socket().await(f -> "ack".equals(f.path("type").asString())
                    || "error".equals(f.path("type").asString()), WAIT);

            if ("ack".equals(outcome.path("type").asString())) {
                JsonNode message = bob.await("message");
                assertThat(message.path("text").asString()).as("the text Bob got").isEqualTo("a\ud800b");
            }
            else {
                assertThat(outcome.path("code").asString()).isEqualTo("bad_request");
            }
        }
    }

    /** A lone surrogate is valid JSON but no text: the name would reach the socket as '?'. */
    @Test
    void refusesANameThatIsNotUnicodeText() {
        RawHttp.Response response = RawHttp.request("POST", "/api/guests")
                .body("application/json", "{\"name\":\"Ada\\ud800\"}")
                .send(server.port());

        assertThat(response.status()).as("body %s", response.body()).isEqualTo(400);
        assertThat(response.header("Content-Type")).startsWith("application/problem+json");
    }

    /** {@code server.max-http-request-header-size} is 16 KB: a 10 KB header is served, a 20 KB one refused. */
    @Test
    void refusesAHeaderOverTheConfiguredLimit() {
        RawHttp.Response response = RawHttp.request("GET", "/api/guests/me").header("X-Pad", "p".repeat(20 * 1024))
                .send(server.port());

        assertThat(response.status()).isIn(400, 431);
        assertThat(health()).isEqualTo(200);
    }

    static Stream<Arguments> hostileRequests() {
        String json = "application/json";
        List<RawHttp> requests = new ArrayList<>();
        for (String body : List.of("{", "{\"name\":", "nul", "{\"name\":\"Ada\"}}", "{\"name\":[\"Ada\"]}",
                "{\"name\":{\"first\":\"Ada\"}}", "{\"name\":\"Ada\",\"challenge\":[1]}", "{\"name\":\"Ada\",\"nonce\":{}}",
                "{\"name\":" + "9".repeat(400) + "}",
                "{\"name\":\"Ada\",\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}",
                "[" + "{\"name\":\"Ada\"},".repeat(1000) + "{}]")) {
            requests.add(RawHttp.request("POST", "/api/guests").body(json, body));
        }
        requests.add(RawHttp.request("POST", "/api/guests").body(json,
                new byte[] {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC3, 0x28, '"', '}'}));
        requests.add(RawHttp.request("POST", "/api/guests").body("text/plain", "{\"name\":\"Ada\"}"));
        requests.add(RawHttp.request("POST", "/api/guests").body("application/x-www-form-urlencoded", "name=Ada"));
        requests.add(RawHttp.request("POST", "/api/guests").body("multipart/form-data; boundary=b",
                "--b\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nAda\r\n--b--\r\n"));
        requests.add(RawHttp.request("POST", "/api/guests").body("application/xml", "<name>Ada</name>"));
        requests.add(RawHttp.request("POST", "/api/guests").body(null, "{\"name\":\"Ada\"}"));
        requests.add(RawHttp.request("POST", "/api/guests").body("application/json; charset=no-such-charset",
                "{\"name\":\"Ada\"}"));
        requests.add(RawHttp.request("POST", "/api/guests").body("application/json",
                "{\"name\":\"Ada\",\"pad\":\"" + "x".repeat(1024 * 1024) + "\"}"));
        requests.add(RawHttp.request("GET", "/api/guests/me").header("X-Pad", "p".repeat(10 * 1024)));
        requests.add(RawHttp.request("GET", "/api/guests/me").header("Authorization", "Bearer " + "e".repeat(10 * 1024)));
        requests.add(RawHttp.request("GET", "/api/guests/me").header("Authorization", "Basic YWRtaW46YWRtaW4="));
        requests.add(RawHttp.request("GET", "/api/guests/me").header("Cookie", "rc_guest=a; rc_guest=b; rc_guest="));
        requests.add(RawHttp.request("DELETE", "/api/guests"));
        requests.add(RawHttp.request("PUT", "/api/guests/me").body(json, "{}"));
        for (String path : List.of("/api/channels/..%2F..%2Fetc/messages", "/api/channels/../../etc/messages",
                "/api/channels/%2e%2e/messages", "/api/channels/%00/messages", "/api/channels/x/messages?after=%zz",
                "/api/channels/x/messages?after=1e400&limit=-1", "/files/../../etc/passwd",
                "/files/..%2F..%2Fetc%2Fpasswd", "/files/x/y?exp=1e400&sig=%zz", "/%2e%2e/%2e%2e/etc/passwd",
                "/js/..%2F..%2F..%2F..%2Fetc%2Fpasswd", "/..%5C..%5Cetc%5Cpasswd", "/..;/..;/etc/passwd",
                "/actuator/env", "/actuator/heapdump", "/actuator/loggers", "/actuator/../actuator/env",
                "/" + "a/".repeat(5_000))) {
            requests.add(RawHttp.request("GET", path));
        }
        requests.add(RawHttp.request("GET", "/api/channels/..%2F..%2Fetc/messages").header("Authorization", "Bearer x.y.z"));
        requests.add(RawHttp.request("POST", "/api/channels/..%2F..%2Fetc/files").header("Authorization", "Bearer x.y.z")
                .body("multipart/form-data; boundary=b", "--b\r\n\r\n--b--\r\n"));
        return requests.stream().map(request -> Arguments.of(request.toString(), request));
    }

    /** Every frame whose answers (between its marker and the one before) the protocol does not allow. */
    private static List<String> violations(List<Frame> frames, List<JsonNode> received) {
        List<String> violations = new ArrayList<>();
        Map<String, Integer> tally = new TreeMap<>();
        List<JsonNode> answers = new ArrayList<>();
        int current = 0;
        for (JsonNode frame : received) {
            String type = frame.path("type").asString();
            if (current >= frames.size()) {
                break;
            }
            if (isMarker(current).test(frame)) {
                check(frames.get(current), answers).ifPresent(violations::add);
                String outcome = answers.isEmpty() ? "(nothing)" : answers.stream()
                        .map(a -> a.path("type").asString() + (a.has("code") ? " " + a.path("code").asString() : ""))
                        .collect(Collectors.joining(", "));
                tally.merge(outcome, 1, Integer::sum);
                answers.clear();
                current++;
            }
            else if (!ASYNC_TYPES.contains(type)) {
                answers.add(frame);
            }
        }
        assertThat(current).as("markers answered").isEqualTo(frames.size());
        System.out.println("[fuzz] " + frames.size() + " frames answered: " + tally);
        return violations.size() > 40 ? violations.subList(0, 40) : violations;
    }

    private static Optional<String> check(Frame frame, List<JsonNode> answers) {
        List<JsonNode> errors = answers.stream().filter(a -> "error".equals(a.path("type").asString())).toList();
        boolean ok = answers.stream().allMatch(a -> SERVER_TYPES.contains(a.path("type").asString()))
                && errors.stream().allMatch(e -> ERROR_CODES.contains(e.path("code").asString())
                        && !"internal".equals(e.path("code").asString())
                        && !e.path("message").asString().isBlank());
        if (frame.answer() == Answer.ERROR) {
            ok &= answers.size() == 1 && errors.size() == 1
                    && (frame.code() == null || frame.code().equals(errors.get(0).path("code").asString()));
        }
        else {
            ok &= errors.size() <= 1;
        }
        return ok ? Optional.empty()
                : Optional.of(frame + " (expected " + frame.answer()
                        + (frame.code() == null ? "" : " " + frame.code()) + ") -> " + answers);
    }

    private static String marker(int i) {
        return "{\"type\":\"sync-" + i + "\"}";
    }

    /** A marker frame is an unknown type, so it is answered with an error naming it. */
    private static Predicate<JsonNode> isMarker(int i) {
        String ref = "sync-" + i;
        return f -> "error".equals(f.path("type").asString()) && ref.equals(f.path("ref").asString());
    }

    private static byte[] ping() {
        return "{\"type\":\"ping\"}".getBytes(StandardCharsets.UTF_8);
    }

    private static int health() {
        return Guests.send(HttpRequest.newBuilder(server.uri("/actuator/health")).timeout(WAIT).build()).statusCode();
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @FunctionalInterface
    private interface RawCase {
        void send(RawWebSocket socket);
    }
}
