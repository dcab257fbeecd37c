package dev.randomchat.web;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.ServerProcess;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.logging.LogEntry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server restart as a load balancer sees it: the page's server (its own JVM) gets SIGTERM and
 * closes its sockets with 1012, and a second server of the same cluster, behind the same
 * address, takes over.
 */
class ServerRestartBrowserTests {

    private String cluster;
    private ServerProcess first;
    private ChatServer second;
    private TcpProxy proxy;

    @BeforeEach
    void startFirstServer() throws IOException {
        Browser.assumeInstalled();
        cluster = ChatServer.newCluster();
        first = ServerProcess.start(cluster, Map.of());
        proxy = new TcpProxy(first.port());
    }

    @AfterEach
    void stopServers() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (first != null) {
            first.close();
        }
        if (second != null) {
            second.close();
        }
    }

    @Test
    void thePageReconnectsToTheNextServerAndNothingIsLostOrDoubled() throws IOException {
        try (Browser one = Browser.desktop(); Browser two = Browser.desktop()) {
            ChatPage kim = new ChatPage(one, proxy.baseUrl());
            ChatPage lou = new ChatPage(two, proxy.baseUrl());
            kim.open().fillHome("Kim", "").start();
            lou.open().fillHome("Lou", "").start();
            kim.awaitChat();
            lou.awaitChat();
            kim.send("before the restart");
            lou.awaitPeerMessage("before the restart");

            second = ChatServer.start(cluster, Map.of());
            proxy.retarget(second.port());
            first.stop(Duration.ofSeconds(60)); // SIGTERM: readiness down, sockets closed with 1012
            kim.send("right after the restart");

            lou.awaitPeerMessage("right after the restart");
            kim.awaitNothingPending();
            lou.send("still here");
            kim.awaitPeerMessage("still here");
            kim.send("last one");
            lou.awaitPeerMessage("last one");

            assertThat(lou.peerTexts()).containsExactly("before the restart", "right after the restart", "last one");
            assertThat(kim.peerTexts()).containsExactly("still here");
            for (Browser browser : List.of(one, two)) {
                // A reconnect attempt that reached the old server while it drained may have failed.
                List<String> problems = browser.console().stream()
                        .filter(Browser::severeOrCsp)
                        .map(LogEntry::getMessage)
                        .filter(message -> !message.contains("WebSocket connection to"))
                        .toList();
                assertThat(problems).as("SEVERE console entries and CSP violations").isEmpty();
            }
        }
    }
}
