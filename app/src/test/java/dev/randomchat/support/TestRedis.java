package dev.randomchat.support;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.PortBinding;
import com.github.dockerjava.api.model.Ports;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.DockerImageName;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;

import dev.randomchat.system.Redis;
import dev.randomchat.system.RedisProcess;

/**
 * The one Redis every integration test uses: a container from a local Redis image when a Docker
 * engine answers and has one, otherwise a real {@code redis-server} process (PATH, else
 * embedded-redis). The same tests run either way; the test output says which ran.
 * <p>
 * No image is ever pulled (no registry is reachable where these tests run): the image is
 * {@code TEST_REDIS_IMAGE}, by default {@code random-chat-local/redis:latest}, which
 * deployments/docker-test/build-images.sh builds from Debian's redis-server (.ci/run builds it
 * before the tests). Testcontainers' Ryuk is off (its image would be pulled: surefire sets
 * TESTCONTAINERS_RYUK_DISABLED) and so are its start-up checks (testcontainers.properties); the
 * container is stopped by a shutdown hook, and by deployments/docker-test/dockerd.sh stop otherwise.
 * Started once per JVM; each test isolates itself with its own key prefix.
 * <p>
 * Servers get it as {@code REDIS_ADDRS} (ChatServer's environment), not through
 * {@code @ServiceConnection}, although the server would take such connection details (see
 * RedisConnectionDetailsIntegrationTests): the servers are started with {@code SpringApplication},
 * several per test and JVM on this one container; Boot's Redis service connection names the
 * container by {@code getHost()}, which on these machines can be the Docker bridge's gateway
 * rather than the 127.0.0.1 the port is published on; it describes a single server only, not the
 * Cluster of TestRedisCluster; and the redis-server path without Docker (what CI runs) has no
 * container to annotate. One variable covers every case.
 */
public final class TestRedis {

    static final String LOCAL_REDIS_IMAGE = "random-chat-local/redis:latest";

    private static final int REDIS_PORT = 6379;

    private static String address;
    private static RedisProcess process;

    private TestRedis() {
    }

    public static synchronized String address() {
        if (address == null) {
            address = start();
        }
        return address;
    }

    /**
     * The facade on the test Redis without a server around it, for tests of scripts: on a
     * connection factory of its own, which closing the facade stops.
     */
    public static Redis connect(String keyPrefix) {
        String where = address();
        int colon = where.lastIndexOf(':');
        LettuceConnectionFactory factory = new LettuceConnectionFactory(
                new RedisStandaloneConfiguration(where.substring(0, colon), Integer.parseInt(where.substring(colon + 1))));
        factory.afterPropertiesSet();
        return new Redis(factory, keyPrefix) {

            @Override
            public synchronized void close() {
                super.close();
                factory.destroy();
            }
        };
    }

    /** The redis-server process, when that path runs (fault tests kill and restart it). */
    public static synchronized RedisProcess process() {
        address();
        return process;
    }

    public static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        }
        catch (RuntimeException | LinkageError ex) {
            return false;
        }
    }

    /** The image, when Docker answers and holds it locally; empty otherwise. */
    static Optional<String> localImage(String image) {
        if (!dockerAvailable()) {
            return Optional.empty();
        }
        try {
            DockerClientFactory.instance().client().inspectImageCmd(image).exec();
            return Optional.of(image);
        }
        catch (RuntimeException ex) {
            return Optional.empty();
        }
    }

    private static String start() {
        String image = Optional.ofNullable(System.getenv("TEST_REDIS_IMAGE")).orElse(LOCAL_REDIS_IMAGE);
        Optional<String> local = localImage(image);
        if (local.isPresent()) {
            GenericContainer<?> redis = new GenericContainer<>(DockerImageName.parse(image))
                    .withExposedPorts(REDIS_PORT)
                    // Published on 127.0.0.1 only (Docker's default would be every interface).
                    .withCreateContainerCmdModifier((command) -> command.getHostConfig().withPortBindings(
                            new PortBinding(Ports.Binding.bindIp("127.0.0.1"), ExposedPort.tcp(REDIS_PORT))))
                    // Ready by its log, not by a probe of Testcontainers' idea of the host address,
                    // which on some machines is the bridge's gateway, where nothing is published.
                    .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*", 1)
                            .withStartupTimeout(Duration.ofSeconds(60)));
            redis.start();
            Runtime.getRuntime().addShutdownHook(new Thread(redis::stop));
            String where = "127.0.0.1:" + redis.getMappedPort(REDIS_PORT);
            System.out.println("[test infrastructure] Redis: Testcontainers, local image " + image + " at " + where);
            return where;
        }
        String why = dockerAvailable() ? "Docker answers but has no image " + image
                + " (deployments/docker-test/build-images.sh builds it)" : "no Docker engine";
        try {
            process = RedisProcess.start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::close));
            System.out.println("[test infrastructure] Redis: " + why + ", so a real redis-server process ("
                    + process.origin() + ") at " + process.address());
            return process.address();
        }
        catch (IOException ex) {
            throw new IllegalStateException("cannot start redis-server for the tests", ex);
        }
    }

    /**
     * Calls counted in {@code INFO commandstats} output for the commands named (lower case, as
     * Redis names them: {@code evalsha}, {@code hset}), summed. A script's own calls count too.
     */
    public static long calls(String commandStats, String... commands) {
        long total = 0;
        for (String line : commandStats.split("\r?\n")) {
            for (String command : commands) {
                if (line.startsWith("cmdstat_" + command + ":")) {
                    int start = line.indexOf("calls=") + "calls=".length();
                    total += Long.parseLong(line.substring(start, line.indexOf(',', start)));
                }
            }
        }
        return total;
    }
}
