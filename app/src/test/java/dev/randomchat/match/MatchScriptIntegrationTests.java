package dev.randomchat.match;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.TestRedis;
import dev.randomchat.system.LuaScript;
import dev.randomchat.system.MinuteLimit;
import dev.randomchat.system.Redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The branches of match.lua, run on a real Redis with no server around it. */
class MatchScriptIntegrationTests {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final LuaScript MATCH = LuaScript.load(MatchService.class, "match.lua");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static Redis redis;
    private static QueueKeys keys;

    @BeforeAll
    static void connect() {
        redis = TestRedis.connect(ChatServer.newCluster());
        keys = QueueKeys.of(redis);
    }

    @AfterAll
    static void disconnect() {
        redis.close();
    }

    @Test
    void queuesTheFirstGuestOfAnEmptyQueue() {
        JsonNode result = match("empty-1", "s1", 15_000, 5);
        assertThat(result.get("r").asString()).isEqualTo("waiting");
        assertThat(redis.commands().zscore(keys.queue(), "empty-1").block(WAIT)).isNotNull();
        cancel("empty-1");
    }

    @Test
    void queuesAGuestOnlyOnceWhateverTheNumberOfMatches() {
        long since = match("self-1", "s1", 15_000, 5).get("s").asLong();
        JsonNode again = match("self-1", "s2", 15_000, 5);
        assertThat(again.get("r").asString()).isEqualTo("waiting");
        assertThat(again.get("s").asLong()).isEqualTo(since);
        assertThat(redis.commands().zrange(keys.queue(), 0, -1).collectList().block(WAIT))
                .containsOnlyOnce("self-1");
        JsonNode waiter = JSON.readTree(redis.commands().hget(keys.waiters(), "self-1").block(WAIT));
        assertThat(waiter.get("l").propertyNames()).containsExactlyInAnyOrder("s1", "s2");
        cancel("self-1");
    }

    @Test
    void pairsWithAPartnerPresentAndRecordsThePairFirst() {
        match("pair-a", "s1", 15_000, 5);
        JsonNode result = match("pair-b", "s2", 15_000, 5);
        assertThat(result.get("r").asString()).isEqualTo("matched");
        assertThat(result.get("p").asString()).isEqualTo("pair-a");
        assertThat(result.get("ms").asString()).isEqualTo("s2");
        assertThat(result.get("ps").asString()).isEqualTo("s1");
        String channel = result.get("c").asString();
        assertThat(redis.commands().zcard(keys.queue()).block(WAIT)).isZero();
        JsonNode again = match("pair-a", "s1", 15_000, 5);
        assertThat(again.get("r").asString()).isEqualTo("current");
        assertThat(JSON.readTree(again.get("v").asString()).get("c").asString()).isEqualTo(channel);
        unpair("pair-a", "pair-b", channel);
    }

    @Test
    void skipsAndDropsAPartnerWhoseLeaseExpired() {
        match("dead-a", "dead-server", 200, 5);
        awaitLeaseExpiry("dead-a");
        JsonNode result = match("dead-b", "s2", 15_000, 5);
        assertThat(result.get("r").asString()).isEqualTo("waiting");
        assertThat(redis.commands().hexists(keys.waiters(), "dead-a").block(WAIT)).isFalse();
        assertThat(redis.commands().zrange(keys.queue(), 0, -1).collectList().block(WAIT))
                .containsExactly("dead-b");
        cancel("dead-b");
    }

    @Test
    void refusesAGuestOverItsDailyLimit() {
        match("daily-a", "s1", 15_000, 1);
        String channel = match("daily-b", "s1", 15_000, 1).get("c").asString();
        unpair("daily-a", "daily-b", channel);
        assertThat(match("daily-a", "s1", 15_000, 1).get("r").asString()).isEqualTo("limited");
    }

    @Test
    void unwaitRemovesExactlyTheTaggedMembersMatchWrote() {
        String reply = redis.run(MATCH, keys.forMatch(keys.ticket()), "tags-a", "TAGS-A", "s1", "15000", "10000",
                "[\"music\",\"chess\"]", "chan-tags-a", "86400000", "5", Long.toString(QueueKeys.KEY_TTL_MS), "0",
                "120").block(WAIT);
        assertThat(JSON.readTree(reply).get("r").asString()).isEqualTo("waiting");
        List<String> written = redis.commands().zrange(keys.tagged(), 0, -1)
                .filter(member -> member.endsWith("|tags-a"))
                .collectList()
                .block(WAIT);
        assertThat(written).hasSize(2);

        cancel("tags-a");

        assertThat(redis.commands().zrange(keys.tagged(), 0, -1).collectList().block(WAIT))
                .doesNotContainAnyElementsOf(written);
    }

    @Test
    void countsEachMatchAgainstTheGuestsMinuteAndRefusesOverItWithoutQueueing() {
        MinuteLimit joins = MinuteLimit.inSlot(redis, QueueKeys.SLOT, "joins", 2);
        String counter = joins.counter("minute-a");
        assertThat(match("minute-a", "s1", 15_000, 5, counter, 2).get("r").asString()).isEqualTo("waiting");
        cancel("minute-a");
        assertThat(match("minute-a", "s1", 15_000, 5, counter, 2).get("r").asString()).isEqualTo("waiting");
        cancel("minute-a");

        assertThat(match("minute-a", "s1", 15_000, 5, counter, 2).get("r").asString()).isEqualTo("busy");
        assertThat(redis.commands().zscore(keys.queue(), "minute-a").block(WAIT)).as("queued").isNull();
        assertThat(redis.commands().get(counter).block(WAIT)).isEqualTo("3");
        assertThat(redis.commands().ttl(counter).block(WAIT)).isBetween(1L, 120L);
        // A retry (limit 0) is not counted and not refused.
        assertThat(match("minute-a", "s1", 15_000, 5, counter, 0).get("r").asString()).isEqualTo("waiting");
        assertThat(redis.commands().get(counter).block(WAIT)).isEqualTo("3");
        cancel("minute-a");
    }

    private JsonNode match(String guest, String server, long leaseMs, int dailyLimit) {
        return match(guest, server, leaseMs, dailyLimit, keys.ticket(), 0);
    }

    private JsonNode match(String guest, String server, long leaseMs, int dailyLimit, String minuteCounter,
            int perMinute) {
        String reply = redis.run(MATCH, keys.forMatch(minuteCounter), guest, guest.toUpperCase(), server,
                Long.toString(leaseMs), "10000", "[]", "chan-" + guest, "86400000", Integer.toString(dailyLimit),
                Long.toString(QueueKeys.KEY_TTL_MS), Integer.toString(perMinute), MinuteLimit.COUNTER_SECONDS)
                .block(WAIT);
        return JSON.readTree(reply);
    }

    private void cancel(String guest) {
        redis.run(LuaScript.load(MatchService.class, "unwait.lua"), keys.forUnwait(), guest, "any", "all").block(WAIT);
    }

    private void unpair(String a, String b, String channel) {
        redis.run(LuaScript.load(Pairings.class, "unpair.lua"), keys.forUnpair(), a, b, channel, "60000",
                Long.toString(QueueKeys.KEY_TTL_MS)).block(WAIT);
    }

    /** Waits on Redis's own clock until every lease of the guest has run out. */
    private void awaitLeaseExpiry(String guest) {
        JsonNode waiter = JSON.readTree(redis.commands().hget(keys.waiters(), guest).block(WAIT));
        long expiry = waiter.get("l").values().stream().mapToLong(JsonNode::asLong).max().orElseThrow();
        await().atMost(WAIT).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    List<String> time = redis.commands().time().collectList().block(WAIT);
                    return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000 > expiry;
                });
    }
}
