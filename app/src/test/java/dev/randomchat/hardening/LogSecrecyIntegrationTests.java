package dev.randomchat.hardening;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.ServerProcess;
import dev.randomchat.support.WsClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole session against a server whose own packages log at DEBUG leaves no secret in its log:
 * no guest or channel token, no message text or report note, no {@code Authorization} value.
 */
class LogSecrecyIntegrationTests {

    private static final Duration WAIT = WsClient.WAIT;
    private static final Duration STOP = Duration.ofSeconds(30);

    @Test
    void logsNoTokenMessageTextOrAuthorizationValueAtDebug() {
        List<String> secrets = new ArrayList<>();
        String output;
        try (ServerProcess server = ServerProcess.start(ChatServer.newCluster(), Map.of(
                "LOGGING_LEVEL_DEV_RANDOMCHAT", "DEBUG",
                "LOGGING_LEVEL_ROOT", "INFO"))) {
            JsonNode ada = Guests.create(server.baseUrl(), "Ada");
            JsonNode bob = Guests.create(server.baseUrl(), "Bob");
            String adaToken = ada.path("token").asString();
            String bobToken = bob.path("token").asString();
            secrets.add(adaToken);
            secrets.add(bobToken);

            try (WsClient adaSocket = WsClient.connect(server.wsUri(), adaToken);
                    WsClient bobSocket = WsClient.connect(server.wsUri(), Map.of("Cookie", "rc_guest=" + bobToken))) {
                adaSocket.await("hello");
                bobSocket.await("hello");
                String adaChannelToken = pair(adaSocket, bobSocket, secrets);
                chat(adaSocket, bobSocket, secrets);
                secrets.add(adaChannelToken);

                // A second socket resumes with the channel token in a frame.
                try (WsClient again = WsClient.connect(server.wsUri(), adaToken)) {
                    again.await("hello");
                    again.send(Map.of("type", "join", "token", adaChannelToken, "after", 0));
                    again.await("joined");
                }
                // HTTP calls with tokens and a forged one, in headers.
                String channelId = adaSocket.frames("matched").get(0).path("channelId").asString();
                assertThat(get(server, "/api/guests/me", "Bearer " + adaToken).statusCode()).isEqualTo(200);
                assertThat(get(server, "/api/channels/" + channelId + "/messages", "Bearer " + adaChannelToken)
                        .statusCode()).isEqualTo(200);
                String forged = "Bearer forged-" + UUID.randomUUID();
                secrets.add(forged.substring("Bearer ".length()));
                assertThat(get(server, "/api/guests/me", forged).statusCode()).isEqualTo(401);
                assertThat(get(server, "/api/channels/" + channelId + "/messages", forged).statusCode()).isEqualTo(401);

                badFrames(adaSocket, secrets);

                adaSocket.send(Map.of("type", "leave"));
                adaSocket.await("ended");
                bobSocket.await("ended");

                // A new pair (the last two may not meet again so soon), ended by a report with a note.
                String cyToken = Guests.create(server.baseUrl(), "Cy").path("token").asString();
                secrets.add(cyToken);
                try (WsClient cySocket = WsClient.connect(server.wsUri(), cyToken)) {
                    cySocket.await("hello");
                    secrets.add(pair(bobSocket, cySocket, secrets));
                    String note = "secret-note-" + UUID.randomUUID();
                    secrets.add(note);
                    bobSocket.send(Map.of("type", "report", "reason", "abuse", "note", note));
                    bobSocket.await("reported");
                    cySocket.await("ended");
                }
            }
            assertThat(server.stop(STOP)).as("exit code after SIGTERM").isIn(0, 130, 143);
            output = server.output();
        }

        assertThat(output).as("the log was captured").contains("Started RandomChatApplication");
        assertThat(output).as("the server's own packages logged at DEBUG").contains(" DEBUG ");
        for (String secret : secrets) {
            assertThat(output).as("the log must not contain %s", secret).doesNotContain(secret);
            int lastDot = secret.lastIndexOf('.');
            if (secret.startsWith("eyJ") && lastDot > 0) {
                assertThat(output).as("the log must not contain the signature of %s", secret)
                        .doesNotContain(secret.substring(lastDot + 1));
            }
        }
    }

    /** Matches the two sockets; the channel token of the first. */
    private static String pair(WsClient first, WsClient second, List<String> secrets) {
        first.send(Map.of("type", "match"));
        first.await("waiting");
        second.send(Map.of("type", "match"));
        String firstToken = first.await("matched").path("token").asString();
        secrets.add(second.await("matched").path("token").asString());
        return firstToken;
    }

    private static void chat(WsClient ada, WsClient bob, List<String> secrets) {
        String fromAda = "secret-text-" + UUID.randomUUID();
        String fromBob = "secret-text-" + UUID.randomUUID();
        secrets.add(fromAda);
        secrets.add(fromBob);
        ada.send(Map.of("type", "send", "cmid", "a1", "text", fromAda));
        long seq = ada.await("ack").path("seq").asLong();
        bob.await("message");
        bob.send(Map.of("type", "seen", "seq", seq));
        ada.await("seen");
        bob.send(Map.of("type", "typing", "active", true));
        ada.await("typing");
        bob.send(Map.of("type", "send", "cmid", "b1", "text", fromBob));
        ada.await(f -> "message".equals(f.path("type").asString()) && "b1".equals(f.path("cmid").asString()), WAIT);
    }

    /** Bad frames that carry secrets: invalid JSON, a text that is too long, a wrong field type. */
    private static void badFrames(WsClient ada, List<String> secrets) {
        String cut = "secret-text-" + UUID.randomUUID();
        String tooLong = "secret-text-" + UUID.randomUUID();
        String wrongType = "secret-text-" + UUID.randomUUID();
        secrets.addAll(List.of(cut, tooLong, wrongType));
        ada.sendMalformed("{\"type\":\"send\",\"cmid\":\"bad1\",\"text\":\"" + cut);
        ada.sendMalformed(Map.of("type", "send", "cmid", "bad2", "text", tooLong + "x".repeat(2_000)));
        ada.sendMalformed(Map.of("type", "send", "cmid", wrongType, "text", 42));
        String token = "secret-token-" + UUID.randomUUID();
        secrets.add(token);
        ada.send(Map.of("type", "join", "token", token));
        for (int i = 0; i < 4; i++) {
            ada.await("error");
        }
    }

    private static HttpResponse<String> get(ServerProcess server, String path, String authorization) {
        return Guests.send(HttpRequest.newBuilder(server.uri(path))
                .timeout(WAIT)
                .header("Authorization", authorization)
                .build());
    }
}
