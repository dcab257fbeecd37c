package dev.randomchat.web;

import java.io.IOException;
import java.util.List;
import java.util.Map;

import dev.randomchat.support.ChatServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.logging.LogEntry;

import static org.assertj.core.api.Assertions.assertThat;

/** With proof of work on, the page solves the challenge in its Web Worker and carries on. */
class ProofOfWorkBrowserTests {

    private static ChatServer server;

    @BeforeAll
    static void startServer() {
        Browser.assumeInstalled();
        server = ChatServer.start(Map.of("GUEST_POW_BITS", "12"));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void thePageCreatesAGuestBySolvingTheProofOfWorkItself() throws IOException {
        try (Browser first = Browser.desktop(); Browser second = Browser.desktop()) {
            ChatPage ivy = new ChatPage(first, server.baseUrl());
            ChatPage jon = new ChatPage(second, server.baseUrl());

            ivy.open().fillHome("Ivy", "").start();
            jon.open().fillHome("Jon", "").start();
            ivy.awaitChat();
            jon.awaitChat();
            jon.send("solved it");
            ivy.awaitPeerMessage("solved it");

            assertThat(first.find("#home-error").getText()).isEmpty();
            for (Browser browser : List.of(first, second)) {
                List<String> problems = browser.console().stream()
                        .filter(Browser::severeOrCsp)
                        .map(LogEntry::getMessage)
                        .toList();
                assertThat(problems).as("SEVERE console entries and CSP violations").isEmpty();
            }
        }
    }
}
