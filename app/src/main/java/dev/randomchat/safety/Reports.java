package dev.randomchat.safety;

import java.time.Instant;
import java.util.List;

import io.lettuce.core.Range;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.stereotype.Component;

import dev.randomchat.system.RandomIds;
import dev.randomchat.system.Redis;

/**
 * Reports of guests by guests, with the channel's last messages as evidence. Each report is a key
 * that expires after {@code REPORT_TTL_DAYS}; an index orders them by time.
 */
@Component
public class Reports {

    private final Redis redis;
    private final JsonMapper json;
    private final SafetyProperties properties;

    Reports(Redis redis, JsonMapper json, SafetyProperties properties) {
        this.redis = redis;
        this.json = json;
        this.properties = properties;
    }

    public Mono<Void> save(String channelId, String reporter, String reported, String reason, String note,
            List<String> evidence) {
        String id = RandomIds.next();
        Instant at = Instant.now();
        ObjectNode report = json.createObjectNode();
        report.put("id", id);
        report.put("channelId", channelId);
        report.put("reporter", reporter);
        report.put("reported", reported);
        report.put("reason", reason);
        report.put("note", note);
        report.put("createdAt", at.toString());
        var messages = report.putArray("evidence");
        evidence.forEach(message -> messages.add(json.readTree(message)));
        long ttl = properties.reportTtl().toSeconds();
        return redis.commands()
                .setex(redis.key("report", id), ttl, json.writeValueAsString(report))
                .then(redis.commands().zadd(index(), at.toEpochMilli(), id))
                .then(redis.commands().expire(index(), ttl))
                .then();
    }

    /** The newest reports first; ones whose key expired are dropped from the index. */
    Flux<tools.jackson.databind.JsonNode> list(int limit) {
        long cutoff = Instant.now().minus(properties.reportTtl()).toEpochMilli();
        return redis.commands()
                .zremrangebyscore(index(), Range.create(0, cutoff))
                .thenMany(redis.commands().zrevrange(index(), 0, limit - 1))
                .concatMap(id -> redis.commands().get(redis.key("report", id)))
                .map(json::readTree);
    }

    private String index() {
        return redis.key("reports");
    }
}
