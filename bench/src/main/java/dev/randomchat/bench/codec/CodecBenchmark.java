package dev.randomchat.bench.codec;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import tools.jackson.databind.json.JsonMapper;

import dev.randomchat.protocol.FrameDecoder;
import dev.randomchat.protocol.Inbound;
import dev.randomchat.protocol.Outbound;

/**
 * The server's frame codec, per frame type: {@code FrameDecoder} (compiled here from app/'s own
 * source) for every client frame, and every server frame built in Java the way the server builds
 * it (records through the JsonMapper, chat events by string concatenation with JSON-quoted
 * values). {@code relayMessage} is the codec work the server does for one chat message on one
 * server: decode the {@code send}, build the {@code message} JSON, encode the {@code ack}, and the
 * UTF-8 conversions of the inbound frame and the three outbound ones.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 300, timeUnit = TimeUnit.MILLISECONDS)
@Measurement(iterations = 4, time = 400, timeUnit = TimeUnit.MILLISECONDS)
public class CodecBenchmark {

    /** A mapper configured as Boot's is for these frames (Jackson 3 defaults: ISO-8601 instants). */
    static final JsonMapper JSON = JsonMapper.builder().build();
    static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrM2Q5ZjJhNzFjIiwiY2giOiJjaDRmOGEyYjkxIiwiZXhwIjoxNzY0MDAwMDAwfQ."
            + "c2lnbmF0dXJlLW9mLXRoZS1jaGFubmVsLXRva2Vu";
    static final String GUEST = "g7Hq2kP9xLmN4sT1";
    static final String PEER = "p3Vb8nR5wQzK6yU2";
    static final String CHANNEL = "c9Jd4fG7hK2lM5nP";
    static final String TEXT = "hey, how is it going? the quick brown fox jumps over the lazy dog";

    /** Client frames, as a browser sends them. */
    static final Map<String, String> INBOUND = Map.of(
            "ping", "{\"type\":\"ping\"}",
            "match", "{\"type\":\"match\",\"interests\":[\"music\",\"chess\"]}",
            "cancel", "{\"type\":\"cancel\"}",
            "join", "{\"type\":\"join\",\"token\":\"" + TOKEN + "\",\"after\":42}",
            "send", "{\"type\":\"send\",\"cmid\":\"m-1764000000000-17\",\"text\":\"" + TEXT + "\"}",
            "file", "{\"type\":\"file\",\"cmid\":\"f-1764000000000-3\",\"fileId\":\"u8Kd3mQ7pX2z\"}",
            "seen", "{\"type\":\"seen\",\"seq\":42}",
            "typing", "{\"type\":\"typing\",\"active\":true}",
            "leave", "{\"type\":\"leave\",\"block\":false}",
            "report", "{\"type\":\"report\",\"reason\":\"spam\",\"note\":\"keeps posting links\"}");

    @State(Scope.Benchmark)
    public static class Decoding {

        @Param({"ping", "match", "cancel", "join", "send", "file", "seen", "typing", "leave", "report"})
        public String frame;
        String text;
        FrameDecoder decoder;

        @Setup
        public void setUp() {
            text = INBOUND.get(frame);
            decoder = new FrameDecoder(JSON, 4096, 2000);
        }
    }

    @State(Scope.Benchmark)
    public static class Encoding {

        @Param({"hello", "waiting", "cancelled", "matched", "joined", "ack", "error", "pong", "reported", "message",
                "typing", "ended"})
        public String frame;
        Supplier<String> encoder;

        @Setup
        public void setUp() {
            Outbound.Peer peer = new Outbound.Peer(PEER, "Ada");
            encoder = switch (frame) {
                case "hello" -> () -> JSON.writeValueAsString(new Outbound.Hello(new Outbound.Peer(GUEST, "Bob"),
                        new Outbound.Limits(4096, 2000, 10_485_760, 16_384)));
                case "waiting" -> () -> JSON.writeValueAsString(new Outbound.Waiting(Instant.now()));
                case "cancelled" -> () -> JSON.writeValueAsString(new Outbound.Cancelled());
                case "matched" -> () -> JSON.writeValueAsString(new Outbound.Matched(CHANNEL, TOKEN, peer,
                        List.of("music")));
                case "joined" -> () -> JSON.writeValueAsString(new Outbound.Joined(CHANNEL, 42, 1, peer, true, 40));
                case "ack" -> () -> JSON.writeValueAsString(new Outbound.Ack("m-1764000000000-17", 42));
                case "error" -> () -> JSON.writeValueAsString(new Outbound.Error("bad_request",
                        "missing field 'text'", "m-1764000000000-17"));
                case "pong" -> () -> JSON.writeValueAsString(new Outbound.Pong());
                case "reported" -> () -> JSON.writeValueAsString(new Outbound.Reported(CHANNEL));
                case "message" -> () -> message(42);
                case "typing" -> () -> "{\"type\":\"typing\",\"from\":" + quote(GUEST) + ",\"active\":" + true + "}";
                case "ended" -> () -> "{\"type\":\"ended\",\"channelId\":" + quote(CHANNEL) + ",\"by\":" + quote(GUEST)
                        + ",\"reason\":" + quote("left") + "}";
                default -> throw new IllegalArgumentException(frame);
            };
        }
    }

    @State(Scope.Benchmark)
    public static class RelayPath {

        byte[] inbound;
        FrameDecoder decoder;
        long seq;

        @Setup
        public void setUp() {
            inbound = INBOUND.get("send").getBytes(StandardCharsets.UTF_8);
            decoder = new FrameDecoder(JSON, 4096, 2000);
        }
    }

    @Benchmark
    public Inbound decode(Decoding state) {
        return state.decoder.decode(state.text);
    }

    @Benchmark
    public String encode(Encoding state) {
        return state.encoder.get();
    }

    /** The codec share of one relayed message on one server (sender and peer on it). */
    @Benchmark
    @Warmup(iterations = 10, time = 300, timeUnit = TimeUnit.MILLISECONDS)
    public int relayMessage(RelayPath state) {
        Inbound.Send send = (Inbound.Send) state.decoder.decode(new String(state.inbound, StandardCharsets.UTF_8));
        long seq = ++state.seq;
        String message = message(send.cmid(), send.text(), seq);
        String ack = JSON.writeValueAsString(new Outbound.Ack(send.cmid(), seq));
        // Written to the sender's and the peer's socket, and the ack to the sender's.
        return message.getBytes(StandardCharsets.UTF_8).length * 2 + ack.getBytes(StandardCharsets.UTF_8).length;
    }

    static String message(long seq) {
        return message("m-1764000000000-17", TEXT, seq);
    }

    /** As ChannelService.send and store build it: head, the seq from Redis, tail. */
    static String message(String cmid, String text, long seq) {
        String tail = ",\"cmid\":" + quote(cmid) + ",\"from\":" + quote(GUEST) + ",\"sentAt\":"
                + quote(Instant.now().toString()) + ",\"text\":" + quote(text) + "}";
        String head = "{\"type\":\"message\",\"channelId\":" + quote(CHANNEL) + ",\"seq\":";
        return head + seq + tail;
    }

    static String quote(String value) {
        return JSON.writeValueAsString(value);
    }
}
