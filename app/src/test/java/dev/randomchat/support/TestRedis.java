package dev.randomchat.support;

import java.io.IOException;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

import dev.randomchat.system.RedisProcess;

/**
 * The one Redis every integration test uses: a {@code redis:7-alpine} container when a Docker
 * engine answers, otherwise a real {@code redis-server} process (PATH, else embedded-redis).
 * Started once per JVM; each test isolates itself with its own key prefix.
 */
public final class TestRedis {

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

    private static String start() {
        if (dockerAvailable()) {
            GenericContainer<?> redis = new GenericContainer<>("redis:7-alpine").withExposedPorts(6379);
            redis.start();
            Runtime.getRuntime().addShutdownHook(new Thread(redis::stop));
            String where = redis.getHost() + ":" + redis.getMappedPort(6379);
            System.out.println("[test infrastructure] Redis: Testcontainers redis:7-alpine at " + where);
            return where;
        }
        try {
            process = RedisProcess.start();
            Runtime.getRuntime().addShutdownHook(new Thread(process::close));
            System.out.println("[test infrastructure] Redis: no Docker engine, so a real redis-server process ("
                    + process.origin() + ") at " + process.address());
            return process.address();
        }
        catch (IOException ex) {
            throw new IllegalStateException("cannot start redis-server for the tests", ex);
        }
    }
}
