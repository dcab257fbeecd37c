package dev.randomchat.guest;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.randomchat.auth.Guest;
import dev.randomchat.auth.TokenService;
import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;

class ScratchHangTests {
    static final java.net.http.HttpClient H11 = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();


    @Test
    void loop() throws Exception {
        System.setProperty("reactor.netty.http.server.accessLogEnabled", "true");
        try (ChatServer server = ChatServer.start(Map.of("GUEST_CREATIONS_PER_MINUTE", "100000"))) {
            int hangs = 0;
            for (int i = 0; i < 400 && hangs < 2; i++) {
                String token = Guests.JSON.readTree(H11.send(HttpRequest.newBuilder(server.uri("/api/guests")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Ada\"}")).build(), HttpResponse.BodyHandlers.ofString()).body()).path("token").asString();
                String channel = new TokenService(ChatServer.JWT_SECRET.getBytes(StandardCharsets.UTF_8), Duration.ofHours(1), Clock.systemUTC())
                        .issueChannel("g", "c").token();
                for (String auth : new String[] {"Bearer " + channel, "Bearer " + token, "Bearer x"}) {
                    long t = System.nanoTime();
                    try {
                        H11.send(HttpRequest.newBuilder(server.uri("/api/guests/me")).timeout(Duration.ofSeconds(4))
                                .header("Authorization", auth).GET().build(), HttpResponse.BodyHandlers.ofString());
                    }
                    catch (HttpTimeoutException ex) {
                        hangs++;
                        System.out.println("HANG at " + i + " " + auth.substring(0, 12) + " " + java.time.Instant.now());
                        for (int snap = 0; snap < 3; snap++) {
                        Thread.getAllStackTraces().forEach((th, st) -> {
                            if (th.getName().contains("reactor-http")) {
                                System.out.println("THREAD " + th.getName() + " " + th.getState());
                                System.out.println("    depth " + st.length); for (int k = 0; k < st.length; k++) if (k < 8 || k > st.length - 45) System.out.println("    " + st[k]);
                            }
                        });
                        Thread.sleep(1500);
                        }
                    }
                    long ms = (System.nanoTime() - t) / 1_000_000;
                    if (ms > 500) System.out.println("SLOW " + ms + "ms at " + i);
                }
                H11.send(HttpRequest.newBuilder(server.uri("/api/guests")).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{")).build(), HttpResponse.BodyHandlers.ofString());
            }
            System.out.println("HANGS " + hangs);
        }
    }
}
