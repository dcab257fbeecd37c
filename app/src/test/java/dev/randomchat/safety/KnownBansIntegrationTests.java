package dev.randomchat.safety;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.Moderation;
import dev.randomchat.support.WsClient;
import dev.randomchat.system.Redis;
import dev.randomchat.system.RedisProcess;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The list of banned guests each server keeps, so that a socket upgrade needs no Redis round trip
 * for its ban check, on a Redis of the test's own: read from the bans index at start-up and again
 * after Redis came back, so no ban is missed for long.
 */
class KnownBansIntegrationTests {

    private static final Duration RECOVERY = Duration.ofSeconds(30);

    @Test
    void aBanMadeBeforeTheServerStartedIsEnforcedThereAndEveryoneElseIsLetIn() throws Exception {
        int port = RedisProcess.freePort();
        try (RedisProcess redis = RedisProcess.start(port)) {
            String cluster = ChatServer.newCluster();
            Map<String, String> env = Map.of("REDIS_ADDRS", "127.0.0.1:" + port, "ADMIN_TOKEN", Moderation.ADMIN_TOKEN);
            String eve = Guests.mintedToken("eve-before-start", "Eve");
            try (ChatServer first = ChatServer.start(cluster, env)) {
                assertThat(new Moderation(first, Moderation.ADMIN_TOKEN)
                        .post("/api/admin/bans", "{\"guestId\":\"eve-before-start\",\"hours\":1}").statusCode()).isEqualTo(201);
            }
            try (ChatServer later = ChatServer.start(cluster, env)) {
                Bans bans = later.bean(Bans.class);
                await().atMost(RECOVERY).until(bans::knownReady);

                assertThat(upgrade(later.wsUri(), eve)).isEqualTo(403);
                assertThat(upgrade(later.wsUri(), Guests.mintedToken("ann-after-start", "Ann"))).isEqualTo(-1);
                // Lifted elsewhere, unannounced: this server asks Redis about a guest it lists, and lets her in.
                later.bean(Redis.class).commands().del(later.bean(Redis.class).key("ban", "guest", "eve-before-start")).block();
                assertThat(upgrade(later.wsUri(), eve)).isEqualTo(-1);
            }
        }
    }

    @Test
    void aBanThisServerNeverHeardOfIsEnforcedOnceRedisCameBack(@TempDir Path data) throws Exception {
        int port = RedisProcess.freePort();
        String[] durable = {"--appendonly", "yes", "--appendfsync", "always", "--dir", data.toString()};
        RedisProcess redis = RedisProcess.start(port, durable);
        try (ChatServer server = ChatServer.start(Map.of("REDIS_ADDRS", "127.0.0.1:" + port))) {
            Bans bans = server.bean(Bans.class);
            await().atMost(RECOVERY).until(bans::knownReady);
            String eve = Guests.mintedToken("eve-unannounced", "Eve");
            // Stored as a ban is, but never announced: as if the announcement was lost in an outage.
            Redis keys = server.bean(Redis.class);
            long until = Instant.now().plusSeconds(3600).toEpochMilli();
            keys.commands().setex(keys.key("ban", "guest", "eve-unannounced"), 3600, "{}").block();
            keys.commands().zadd(keys.key("bans"), until, "guest|eve-unannounced").block();
            assertThat(upgrade(server.wsUri(), eve)).as("not announced, so not listed yet").isEqualTo(-1);

            redis.kill();
            await().atMost(RECOVERY).until(() -> readiness(server) == 503);
            redis = RedisProcess.start(port, durable);
            await().atMost(RECOVERY).pollInterval(Duration.ofMillis(200)).until(() -> readiness(server) == 200);
            // The list is read again once every topic is subscribed again, moments after readiness.
            await().atMost(RECOVERY).pollInterval(Duration.ofMillis(200)).until(() -> upgrade(server.wsUri(), eve) == 403);
            assertThat(bans.knownReady()).isTrue();
            assertThat(upgrade(server.wsUri(), Guests.mintedToken("ann-after-outage", "Ann"))).isEqualTo(-1);
        }
        finally {
            redis.close();
        }
    }

    private static int upgrade(URI ws, String token) {
        return WsClient.upgradeStatus(ws, Map.of("Authorization", "Bearer " + token));
    }

    private static int readiness(ChatServer server) {
        return Guests.send(HttpRequest.newBuilder(server.uri("/actuator/health/readiness")).timeout(WsClient.WAIT).build())
                .statusCode();
    }
}
