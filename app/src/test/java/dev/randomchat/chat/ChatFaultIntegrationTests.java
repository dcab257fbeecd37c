package dev.randomchat.chat;

import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.ServerProcess;
import dev.randomchat.support.SlowReader;
import dev.randomchat.support.Visitor;
import dev.randomchat.support.WsClient;

import static dev.randomchat.support.Messages.isMessage;
import static dev.randomchat.support.Messages.messages;
import static dev.randomchat.support.Messages.seqs;
import static dev.randomchat.support.Messages.text;
import static org.assertj.core.api.Assertions.assertThat;

/** What happens to a conversation when a server dies, or a client cannot keep up. */
class ChatFaultIntegrationTests {

    private static String cluster;
    private static ChatServer survivor;

    @BeforeAll
    static void startServer() {
        cluster = ChatServer.newCluster();
        survivor = ChatServer.start(cluster, Map.of("RATE_LIMIT_PER_SECOND", "100000", "RATE_LIMIT_BURST", "100000",
                "WS_OUTBOUND_QUEUE", "32", "MAX_MSGS", "32"));
    }

    @AfterAll
    static void stopServer() {
        survivor.close();
    }

    @Test
    void guestsOfAKilledServerResumeOnAnotherWithNothingLost() {
        try (ServerProcess doomed = ServerProcess.start(cluster, Map.of())) {
            JsonNode adaGuest = Guests.create(doomed.baseUrl(), "Ada");
            WsClient ada = WsClient.connect(doomed.wsUri(), adaGuest.get("token").asString());
            ada.await("hello");
            try (Visitor bob = Visitor.arrive(survivor, "Bob")) {
                ada.send(Map.of("type", "match"));
                ada.await("waiting");
                bob.send(Map.of("type", "match"));
                String adaToken = ada.await("matched").get("token").asString();
                bob.await("matched");
                for (int i = 1; i <= 5; i++) {
                    ada.send(text("a" + i, "from ada " + i));
                    bob.send(text("b" + i, "from bob " + i));
                }
                messages(ada, 10);
                long lastSeen = seqs(ada.frames("message")).stream().mapToLong(Integer::longValue).max().orElseThrow();

                doomed.kill();
                for (int i = 6; i <= 10; i++) {
                    bob.send(text("b" + i, "while ada's server is dead " + i));
                }
                messages(bob.socket(), 15);

                WsClient back = WsClient.connect(survivor.wsUri(), adaGuest.get("token").asString());
                back.await("hello");
                back.send(Map.of("type", "join", "token", adaToken, "after", lastSeen));
                back.await("joined");
                back.send(text("a6", "back on the other server"));
                back.await("ack");
                messages(bob.socket(), 16);
                messages(back, 6);
                List<Integer> all = new java.util.ArrayList<>(seqs(ada.frames("message")));
                all.addAll(seqs(back.frames("message")));
                assertThat(all).containsExactlyElementsOf(IntStream.rangeClosed(1, 16).boxed().toList());
                assertThat(seqs(bob.socket().frames("message")))
                        .containsExactlyElementsOf(IntStream.rangeClosed(1, 16).boxed().toList());
                back.close();
                bob.send(Map.of("type", "leave"));
            }
            ada.close();
        }
    }

    @Test
    void closesASlowReaderWithoutDelayingItsPeer() throws Exception {
        try (SlowReader slow = SlowReader.matched(survivor)) {
            Visitor bob = slow.bob();
            double closedBefore = slow.slowCloses();
            int sent = slow.talkUntilClosed(closedBefore, 1900, () -> { });
            assertThat(slow.slowCloses()).as("slow sockets closed after %d messages", sent).isGreaterThan(closedBefore);
            // The 1013 close frame is queued behind data the client never read; a client this far
            // behind may see the connection drop before it reads that frame.
            assertThat(slow.drainUntilClose()).isIn(1013, -1);
            bob.send(text("after", "still here"));
            bob.socket().await(isMessage("after"), WsClient.WAIT);
            bob.send(Map.of("type", "leave"));
        }
    }
}
