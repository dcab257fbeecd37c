package dev.randomchat.web;

import java.io.IOException;
import java.util.Map;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import dev.randomchat.support.ChatServer;

/**
 * A browser test class's server, reached through a {@link TcpProxy} so a test can cut the network:
 * registered as a static {@code @RegisterExtension}, it skips the class on a machine without
 * Chromium, starts the server and the proxy before the first test and stops both after the last.
 */
final class ProxiedServer implements BeforeAllCallback, AfterAllCallback {

    private final Map<String, String> env;
    private ChatServer chat;
    private TcpProxy proxy;

    /** A server with these settings (the variables an operator sets) over the test defaults. */
    ProxiedServer(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        Browser.assumeInstalled();
        chat = ChatServer.start(env);
        proxy = new TcpProxy(chat.port());
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        try {
            if (proxy != null) {
                proxy.close();
            }
        }
        finally {
            if (chat != null) {
                chat.close();
            }
        }
    }

    /** The server itself, for requests that do not go through the proxy. */
    ChatServer chat() {
        return chat;
    }

    TcpProxy proxy() {
        return proxy;
    }

    /** The page's origin: the proxy's. */
    String baseUrl() {
        return proxy.baseUrl();
    }
}
