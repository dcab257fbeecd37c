package dev.randomchat.support;

import java.util.Map;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Two servers sharing one Redis key prefix (a {@link ChatServer#newCluster() cluster}), so guests on
 * one meet guests on the other, as behind a load balancer. Registered as a static
 * {@code @RegisterExtension}: both start before a test class's first test and stop after its last.
 */
public final class TwoServers implements BeforeAllCallback, AfterAllCallback {

    private final Map<String, String> env;
    private String cluster;
    private ChatServer one;
    private ChatServer two;

    /** Both servers with these settings (the variables an operator sets) over the test defaults. */
    public TwoServers(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        cluster = ChatServer.newCluster();
        one = ChatServer.start(cluster, env);
        two = ChatServer.start(cluster, env);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (two != null) {
                two.close();
            }
        }
        finally {
            if (one != null) {
                one.close();
            }
        }
    }

    /** The key prefix both share: a third server (or a server process) started with it joins them. */
    public String cluster() {
        return cluster;
    }

    public ChatServer one() {
        return one;
    }

    public ChatServer two() {
        return two;
    }
}
