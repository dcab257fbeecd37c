package dev.randomchat.system;

import java.util.List;

import org.springframework.boot.data.redis.autoconfigure.DataRedisConnectionDetails;

/**
 * {@code REDIS_ADDRS} and {@code REDIS_PASSWORD} as Boot's Redis connection details: one
 * {@code host:port} is a standalone server, several are the seeds of a Cluster.
 *
 * @param addrs validated {@code host:port} entries, at least one
 * @param password sent with AUTH when not empty
 */
record RedisAddresses(List<String> addrs, String password) implements DataRedisConnectionDetails {

    @Override
    public String getPassword() {
        return password.isEmpty() ? null : password;
    }

    @Override
    public Standalone getStandalone() {
        Node node = node(addrs.get(0));
        return Standalone.of(node.host(), node.port());
    }

    @Override
    public Cluster getCluster() {
        if (addrs.size() < 2) {
            return null;
        }
        List<Node> nodes = addrs.stream().map(RedisAddresses::node).toList();
        return () -> nodes;
    }

    private static Node node(String addr) {
        int colon = addr.lastIndexOf(':');
        return new Node(addr.substring(0, colon), Integer.parseInt(addr.substring(colon + 1)));
    }
}
