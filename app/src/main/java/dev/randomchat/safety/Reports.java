package dev.randomchat.safety;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScoredValue;
import io.lettuce.core.SetArgs;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.stereotype.Component;

import dev.randomchat.system.Redis;
import dev.randomchat.upload.EvidenceHolds;

/**
 * Reports of guests by guests, with the channel's last messages as evidence. Each report is a key
 * that expires after {@code REPORT_TTL_DAYS}; sorted sets order them by time: open reports, all
 * reports, and each guest's reports (as reporter or reported), so every listing reads one index.
 * A reported channel's files are held (not deleted when it ends) for as long as its report lives.
 * A guest reports a channel at most once: the report's id is made of the channel and the reporter,
 * and a second report of the same channel stores nothing.
 */
@Component
public class Reports implements EvidenceHolds {

    /** One listing reads at most this many index entries, however selective its filters are. */
    static final int SCAN_LIMIT = 400;

    private final Redis redis;
    private final JsonMapper json;
    private final SafetyProperties properties;
    private final LiveStats live;

    Reports(Redis redis, JsonMapper json, SafetyProperties properties, LiveStats live) {
        this.redis = redis;
        this.json = json;
        this.properties = properties;
        this.live = live;
    }

    /**
     * A guest as its channel knew it: its name, and the address key it last entered or rejoined the
     * channel from (null when the channel did not keep one).
     */
    public record Person(String id, String name, String address) {
    }

    /** Stores the report unless this guest reported this channel already; emits whether it was stored. */
    public Mono<Boolean> save(String channelId, Person reporter, Person reported, String reason, String note,
            List<String> evidence) {
        String id = channelId + "." + reporter.id();
        Instant at = Instant.now();
        ObjectNode report = json.createObjectNode();
        report.put("id", id);
        report.put("channelId", channelId);
        report.put("reporter", reporter.id());
        report.put("reported", reported.id());
        report.put("reason", reason);
        report.put("note", note);
        report.put("createdAt", at.toString());
        report.put("status", "open");
        ObjectNode people = report.putObject("guests");
        people.set("reporter", guest(reporter));
        people.set("reported", guest(reported));
        var messages = report.putArray("evidence");
        evidence.forEach(message -> messages.add(json.readTree(message)));
        return store(report, id, channelId, at, List.of(reporter.id(), reported.id()))
                .flatMap(stored -> stored ? live.reported().thenReturn(true) : Mono.just(false));
    }

    private Mono<Boolean> store(ObjectNode report, String id, String channelId, Instant at, List<String> guests) {
        long ttl = properties.reportTtl().toSeconds();
        double score = at.toEpochMilli();
        List<String> indexes = new ArrayList<>(List.of(openIndex(), allIndex()));
        guests.forEach(guestId -> indexes.add(guestIndex(guestId)));
        Mono<Void> indexed = Mono.defer(() -> redis.commands().setex(holdKey(channelId), ttl, id))
                .thenMany(Flux.fromIterable(indexes))
                .concatMap(index -> redis.commands().zadd(index, score, id)
                        .then(redis.commands().expire(index, ttl)))
                .then();
        return Mono.defer(() -> redis.commands()
                        .set(reportKey(id), json.writeValueAsString(report), SetArgs.Builder.nx().ex(ttl)))
                .map("OK"::equals)
                .defaultIfEmpty(false)
                .flatMap(stored -> stored ? indexed.thenReturn(true) : Mono.just(false));
    }

    private ObjectNode guest(Person person) {
        ObjectNode guest = json.createObjectNode();
        guest.put("id", person.id());
        guest.put("name", person.name());
        guest.put("address", person.address());
        return guest;
    }

    /** The open reports, newest first (the first page of {@link #list(Query)}). */
    Flux<JsonNode> list(int limit) {
        return list(new Query("open", null, null, null, null, null, limit))
                .flatMapIterable(Page::reports);
    }

    /**
     * One page of reports, newest first, that match the query. Reads one index from the cursor on,
     * at most {@link #SCAN_LIMIT} entries; {@code next} is where the following page starts, or
     * null when the index has no more in the range.
     */
    Mono<Page> list(Query query) {
        String index = query.guest() != null ? guestIndex(query.guest())
                : "open".equals(query.status()) ? openIndex() : allIndex();
        long cutoff = Instant.now().minus(properties.reportTtl()).toEpochMilli();
        Cursor cursor = Cursor.parse(query.cursor());
        double max = cursor != null ? cursor.score()
                : query.to() != null ? query.to().toEpochMilli() : Double.POSITIVE_INFINITY;
        double min = Math.max(cutoff, query.from() != null ? query.from().toEpochMilli() : 0);
        Scan scan = new Scan();
        return Mono.defer(() -> redis.commands().zremrangebyscore(index, Range.create(0L, cutoff)))
                .thenMany(Flux.defer(() -> redis.commands()
                        .zrevrangebyscoreWithScores(index, Range.create(min, max), Limit.create(0, SCAN_LIMIT)))
                        .collectList()
                        .flatMapIterable(entries -> {
                            scan.full = entries.size() == SCAN_LIMIT;
                            return entries;
                        }))
                .filter(entry -> cursor == null || cursor.before(entry))
                .concatMap(entry -> {
                    scan.last = entry;
                    return get(entry.getValue()).<JsonNode>map(report -> report);
                })
                .filter(query::matches)
                .take(query.limit())
                .collectList()
                .map(reports -> new Page(reports, scan.next(reports.size() == query.limit())));
    }

    /** One report, or empty when there is none (never was, or expired). */
    Mono<ObjectNode> get(String id) {
        return Mono.defer(() -> redis.commands().get(reportKey(id)))
                .map(text -> (ObjectNode) json.readTree(text));
    }

    /**
     * Records what an operator did about a report, once: emits the updated report, or an error
     * {@link AlreadyActed} when someone acted on it first. The report leaves the open list.
     */
    Mono<ObjectNode> close(ObjectNode report, ObjectNode action) {
        String id = report.get("id").asString();
        long ttl = properties.reportTtl().toSeconds();
        return Mono.defer(() -> redis.commands().set(actedKey(id), action.get("kind").asString(), SetArgs.Builder.nx().ex(ttl)))
                .switchIfEmpty(Mono.error(AlreadyActed::new))
                .then(Mono.defer(() -> {
                    report.put("status", "dismiss".equals(action.get("kind").asString()) ? "dismissed" : "actioned");
                    report.set("action", action);
                    return redis.commands().set(reportKey(id), json.writeValueAsString(report), SetArgs.Builder.keepttl());
                }))
                .then(redis.commands().zrem(openIndex(), id))
                .thenReturn(report);
    }

    /** Whether no one acted on a report yet (reports stored before statuses existed have none). */
    static boolean isOpen(JsonNode report) {
        JsonNode status = report.get("status");
        return status == null || status.isNull() || "open".equals(status.asString());
    }

    /** Whether a report holds this channel's files as evidence (then they outlive the channel). */
    @Override
    public Mono<Boolean> holdsFiles(String channelId) {
        return Mono.defer(() -> redis.commands().exists(holdKey(channelId)))
                .map(count -> count > 0);
    }

    private String reportKey(String id) {
        return redis.key("report", id);
    }

    private String actedKey(String id) {
        return redis.key("report", id, "acted");
    }

    private String holdKey(String channelId) {
        return redis.key("report", "hold", channelId);
    }

    /** The open reports' index keeps its historical name. */
    private String openIndex() {
        return redis.key("reports");
    }

    private String allIndex() {
        return redis.key("reports", "all");
    }

    private String guestIndex(String guestId) {
        return redis.key("reports", "guest", guestId);
    }

    /** What an operator asked for: {@code status} open or all, and optional filters. */
    record Query(String status, String reason, Instant from, Instant to, String guest, String cursor, int limit) {

        boolean matches(JsonNode report) {
            if (reason != null && !reason.equals(report.path("reason").asString())) {
                return false;
            }
            return !"open".equals(status) || isOpen(report);
        }
    }

    record Page(List<JsonNode> reports, String next) {
    }

    /** Someone already acted on this report. */
    static final class AlreadyActed extends RuntimeException {

        AlreadyActed() {
            super("already acted on", null, false, false);
        }
    }

    /** What one listing read: the last index entry, and whether the read stopped at its limit. */
    private static final class Scan {

        private ScoredValue<String> last;
        private boolean full;

        String next(boolean pageFull) {
            return last != null && (pageFull || full) ? Cursor.of(last) : null;
        }
    }

    /**
     * Where a page ends: the last entry's time and id. Entries of equal time come in reverse order
     * of id, so the next page starts at that time with the ids below this one.
     */
    private record Cursor(double score, String id) {

        static String of(ScoredValue<String> entry) {
            return (long) entry.getScore() + "-" + entry.getValue();
        }

        static Cursor parse(String text) {
            if (text == null) {
                return null;
            }
            int dash = text.indexOf('-');
            try {
                return new Cursor(Long.parseLong(text.substring(0, dash)), text.substring(dash + 1));
            }
            catch (RuntimeException ex) {
                throw new IllegalArgumentException("not a cursor: " + text, ex);
            }
        }

        boolean before(ScoredValue<String> entry) {
            return entry.getScore() < score || entry.getValue().compareTo(id) < 0;
        }
    }
}
