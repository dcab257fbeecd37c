package dev.randomchat.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Visitor;
import dev.randomchat.support.WsClient;

import static dev.randomchat.support.Messages.messages;
import static dev.randomchat.support.Messages.seqs;
import static dev.randomchat.support.Messages.text;
import static org.assertj.core.api.Assertions.assertThat;

/** A server leaves as a rolling update makes it: its clients move to another with nothing lost. */
class RollingRestartIntegrationTests {

    @Test
    void clientsOfADrainingServerResumeOnAnotherWithNothingLost() {
        String cluster = ChatServer.newCluster();
        ChatServer staying = ChatServer.start(cluster, Map.of());
        ChatServer leaving = ChatServer.start(cluster, Map.of("SHUTDOWN_DRAIN_SECONDS", "1"));
        try (Visitor ada = Visitor.arrive(leaving, "Ada"); Visitor bob = Visitor.arrive(staying, "Bob")) {
            ada.send(Map.of("type", "match"));
            ada.await("waiting");
            bob.send(Map.of("type", "match"));
            String token = ada.await("matched").get("token").asString();
            bob.await("matched");
            for (int i = 1; i <= 3; i++) {
                bob.send(text("before" + i, "before " + i));
            }
            messages(ada.socket(), 3);

            CompletableFuture<Void> shutdown = CompletableFuture.runAsync(leaving::close);
            assertThat(ada.socket().awaitClose(WsClient.WAIT)).isEqualTo(1012);
            for (int i = 1; i <= 3; i++) {
                bob.send(text("during" + i, "during " + i));
            }
            Visitor moved = Visitor.arriveAs(ada, staying);
            long last = seqs(ada.socket().frames("message")).stream().mapToLong(Integer::longValue).max().orElse(0);
            moved.send(Map.of("type", "join", "token", token, "after", last));
            JsonNode joined = moved.await("joined");
            assertThat(joined.get("lastSeq").asLong()).isEqualTo(6);
            bob.send(text("after", "after the move"));
            messages(moved.socket(), (int) (6 - last) + 1);
            List<Integer> all = new ArrayList<>(seqs(ada.socket().frames("message")));
            all.addAll(seqs(moved.socket().frames("message")));
            assertThat(all).containsExactlyElementsOf(IntStream.rangeClosed(1, 7).boxed().toList());
            shutdown.join();
            moved.send(Map.of("type", "leave"));
            moved.await("ended");
            moved.close();
        }
        finally {
            leaving.close();
            staying.close();
        }
    }
}
