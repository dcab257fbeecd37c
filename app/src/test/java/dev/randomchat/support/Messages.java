package dev.randomchat.support;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import tools.jackson.databind.JsonNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Chat messages in tests: the {@code send} frame, and the {@code message} frames a socket received. */
public final class Messages {

    private Messages() {
    }

    /** A {@code send} frame. */
    public static Map<String, Object> text(String cmid, String text) {
        return Map.of("type", "send", "cmid", cmid, "text", text);
    }

    public static Predicate<JsonNode> isMessage(String cmid) {
        return f -> "message".equals(f.path("type").asString()) && cmid.equals(f.path("cmid").asString());
    }

    /** Waits until the socket has at least {@code count} messages, and returns them. */
    public static List<JsonNode> messages(WsClient socket, int count) {
        await().atMost(WsClient.WAIT).pollInterval(Duration.ofMillis(20))
                .until(() -> socket.frames("message").size() >= count);
        List<JsonNode> messages = socket.frames("message");
        assertThat(messages).hasSizeGreaterThanOrEqualTo(count);
        return messages;
    }

    public static List<Integer> seqs(List<JsonNode> messages) {
        return messages.stream().map(m -> m.get("seq").asInt()).toList();
    }
}
