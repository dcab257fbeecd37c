package dev.randomchat.system;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The facade's topic subscriptions on a real standalone Redis: one confirmation shared by every
 * subscriber of a topic, and what a catch-up after a Redis restart can count on.
 */
class RedisSubscriptionsIntegrationTests {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private final StandaloneRedis standalone = new StandaloneRedis();
    private Redis redis;

    @BeforeEach
    void start() throws Exception {
        redis = standalone.start("subscriptions");
    }

    @AfterEach
    void stop() throws Exception {
        standalone.stop();
    }

    @Test
    void aSubscriberThatGivesUpLeavesTheConfirmationToTheOthers() {
        String topic = redis.key("topic", "shared");
        // Redis holds every client's commands for a while, so the first surely gives up before
        // the confirmation can come.
        redis.commands().clientPause(300).block(WAIT);
        Mono<Void> first = redis.subscribe(topic, message -> { });
        Mono<Void> second = redis.subscribe(topic, message -> { });
        // Given up before Redis answered, as when a socket closes while its channel is being entered.
        first.subscribe().dispose();

        second.block(WAIT);
        // The topic stays subscribed for the second; a third joins the confirmed subscription.
        redis.subscribe(topic, message -> { }).block(WAIT);
        assertThat(redis.subscriptionCount()).isEqualTo(1);
    }

    @Test
    void aMessagePublishedAsTheCatchUpRunsIsDeliveredLive() throws Exception {
        String topic = redis.key("topic", "live");
        List<String> received = new CopyOnWriteArrayList<>();
        redis.subscribe(topic, received::add).block(WAIT);
        CompletableFuture<Void> published = new CompletableFuture<>();
        redis.onReconnect(() -> redis.publish(topic, "at the catch-up")
                .subscribe(null, published::completeExceptionally, () -> published.complete(null)));

        standalone.restartRedis();

        // Catch-up reads what a channel's log holds; anything published from then on must come
        // live, so Pub/Sub (and every command connection) must be back before it starts.
        published.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        await().atMost(WAIT).until(() -> received.contains("at the catch-up"));
    }
}
