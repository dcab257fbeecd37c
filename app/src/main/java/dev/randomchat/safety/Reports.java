package dev.randomchat.safety;

import java.time.Instant;
import java.util.List;

import io.lettuce.core.SetArgs;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.stereotype.Component;

import dev.randomchat.system.Redis;

/**
 * Reports of guests by guests, with the channel's last messages as evidence. Each report is a key
 * that expires after {@code REPORT_TTL_DAYS}; an index orders them by time. A guest reports a
 * channel at most once: the report's id is made of the channel and the reporter, and a second
 * report of the same channel stores nothing.
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

    /** Stores the report unless this guest reported this channel already; emits whether it was stored. */
    public Mono<Boolean> save(String channelId, String reporter, String reported, String reason, String note,
            List<String> evidence) {
        String id = channelId + "." + reporter;
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
        return Mono.defer(() -> redis.commands()
                        .set(redis.key("report", id), json.writeValueAsString(report), SetArgs.Builder.nx().ex(ttl)))
                .map("OK"::equals)
                .defaultIfEmpty(false)
                .flatMap(stored -> stored
                        ? redis.commands().zadd(index(), at.toEpochMilli(), id)
                                .then(redis.commands().expire(index(), ttl))
                                .thenReturn(true)
                        : Mono.just(false));
    }

    /** The newest reports first; ones whose key expired are dropped from the index. */
    Flux<tools.jackson.databind.JsonNode> list(int limit) {
        long cutoff = Instant.now().minus(properties.reportTtl()).toEpochMilli();
        return redis.commands()
                .zremrangebyscore(index(), io.lettuce.core.Range.create(0, cutoff))
                .thenMany(redis.commands().zrevrange(index(), 0, limit - 1))
                .concatMap(id -> redis.commands().get(redis.key("report", id)))
                .map(json::readTree);
    }

    private String index() {
        return redis.key("reports");
    }
}
