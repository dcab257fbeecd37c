package dev.randomchat.safety;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.randomchat.auth.GuestAuth;
import dev.randomchat.system.ApiException;
import dev.randomchat.upload.EvidenceFiles;

/**
 * The operators' API, behind {@code Authorization: Bearer <ADMIN_TOKEN>}, served on
 * {@code MANAGEMENT_PORT} only (404 on the public port, see
 * {@link dev.randomchat.system.ManagementPortFilter}). Without ADMIN_TOKEN the controller does not
 * exist: no admin route answers anything but 404. An IP ban of an IPv6 address covers its /64. Every action is logged and
 * recorded with who acted ({@link #ACTOR}) and when; tokens never are.
 */
@RestController
@RequestMapping("/api/admin")
@ConditionalOnExpression("!'${chat.safety.admin-token:}'.isBlank()")
class AdminController {

    private static final Logger log = LoggerFactory.getLogger(AdminController.class);
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;
    static final int MAX_BAN_HOURS = 24 * 365;
    /** There is one admin token, so one name for whoever holds it. */
    static final String ACTOR = "admin";
    static final Set<String> REASONS = Set.of("spam", "abuse", "sexual", "minor", "other");
    private static final String GUEST_ID = "[A-Za-z0-9_-]{1,64}";
    /** A report's id: its channel's id and its reporter's, joined by a dot (one report per reporter and channel). */
    private static final String REPORT_ID = GUEST_ID + "\\." + GUEST_ID;

    private final byte[] tokenDigest;
    private final Reports reports;
    private final Bans bans;
    private final LiveStats live;
    private final EvidenceFiles files;
    private final JsonMapper json;

    AdminController(SafetyProperties properties, Reports reports, Bans bans, LiveStats live, EvidenceFiles files,
            JsonMapper json) {
        this.tokenDigest = sha256(properties.adminToken());
        this.reports = reports;
        this.bans = bans;
        this.live = live;
        this.files = files;
        this.json = json;
    }

    /**
     * Reports, newest first, one page at a time: {@code status} open (default) or all, optional
     * {@code reason}, {@code from}/{@code to} (ISO instants), {@code guest} (reporter or reported),
     * and {@code cursor} from the previous page's {@code next}.
     */
    @GetMapping("/reports")
    Mono<ReportList> reports(@RequestParam(defaultValue = "" + DEFAULT_LIMIT) int limit,
            @RequestParam(defaultValue = "open") String status, @RequestParam(required = false) String reason,
            @RequestParam(required = false) String from, @RequestParam(required = false) String to,
            @RequestParam(required = false) String guest, @RequestParam(required = false) String cursor,
            ServerHttpRequest request) {
        authorize(request);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.badRequest("limit must be between 1 and " + MAX_LIMIT);
        }
        if (!"open".equals(status) && !"all".equals(status)) {
            throw ApiException.badRequest("status must be open or all");
        }
        if (reason != null && !REASONS.contains(reason)) {
            throw ApiException.badRequest("reason must be one of " + REASONS);
        }
        if (guest != null && !guest.matches(GUEST_ID)) {
            throw ApiException.badRequest("guest is not a guest id");
        }
        if (cursor != null && !cursor.matches("[0-9]{1,19}-" + REPORT_ID)) {
            throw ApiException.badRequest("cursor is not one this API gave");
        }
        var query = new Reports.Query(status, reason, instant("from", from), instant("to", to), guest, cursor, limit);
        return reports.list(query)
                .map(page -> new ReportList(page.reports().stream().map(this::present).toList(), page.next()));
    }

    @GetMapping("/reports/{id}")
    Mono<JsonNode> report(@PathVariable String id, ServerHttpRequest request) {
        authorize(request);
        return found(id).map(this::present);
    }

    /**
     * Acts on a report once: {@code ban-guest} or {@code ban-address} with {@code hours}, or
     * {@code dismiss}. 409 when it was already acted on; 404 when it is not there.
     */
    @PostMapping("/reports/{id}/actions")
    Mono<JsonNode> act(@PathVariable String id, @RequestBody(required = false) ActionRequest body,
            ServerHttpRequest request) {
        authorize(request);
        if (body == null || body.action() == null) {
            throw ApiException.badRequest("action is required: ban-guest, ban-address or dismiss");
        }
        boolean ban = switch (body.action()) {
            case "ban-guest", "ban-address" -> true;
            case "dismiss" -> false;
            default -> throw ApiException.badRequest("action must be ban-guest, ban-address or dismiss");
        };
        Duration duration = ban ? hours(body.hours()) : null;
        return found(id)
                .flatMap(report -> {
                    if (!Reports.isOpen(report)) {
                        return Mono.error(alreadyActed());
                    }
                    ObjectNode action = json.createObjectNode();
                    action.put("kind", body.action());
                    action.put("actor", ACTOR);
                    action.put("at", Instant.now().toString());
                    return banFor(report, body.action(), duration)
                            .map(done -> {
                                action.put("target", done.target());
                                action.put("hours", body.hours());
                                action.put("until", done.until().toString());
                                return action;
                            })
                            .defaultIfEmpty(action)
                            .flatMap(recorded -> reports.close(report, recorded));
                })
                .onErrorMap(Reports.AlreadyActed.class, ex -> alreadyActed())
                .doOnNext(done -> log.info("operator {} acted on report {}: {}", ACTOR, id, body.action()))
                .map(this::present);
    }

    private Mono<Bans.Ban> banFor(ObjectNode report, String action, Duration duration) {
        String reported = report.get("reported").asString();
        String reportId = report.get("id").asString();
        return switch (action) {
            case "ban-guest" -> bans.banGuest(reported, duration, ACTOR, reportId);
            case "ban-address" -> {
                var address = Bans.parseAddress(text(report.path("guests").path("reported").get("address")));
                if (address.isEmpty()) {
                    yield Mono.error(new ApiException(HttpStatus.CONFLICT, "Conflict",
                            "the reported guest's address is not known; ban the guest instead"));
                }
                yield bans.banAddress(address.get(), duration, ACTOR, reportId);
            }
            default -> Mono.empty();
        };
    }

    @GetMapping("/bans")
    Mono<BanList> activeBans(ServerHttpRequest request) {
        authorize(request);
        return bans.active().map(BanList::new);
    }

    @PostMapping("/bans")
    Mono<ResponseEntity<BanReply>> ban(@RequestBody(required = false) BanRequest body, ServerHttpRequest request) {
        authorize(request);
        if (body == null || (body.guestId() == null) == (body.ip() == null)) {
            throw ApiException.badRequest("give exactly one of guestId or ip");
        }
        Duration duration = hours(body.hours());
        if (body.guestId() != null) {
            if (!body.guestId().matches(GUEST_ID)) {
                throw ApiException.badRequest("guestId is not a guest id");
            }
            log.info("operator {} banned guest {} for {} h", ACTOR, body.guestId(), body.hours());
            return bans.banGuest(body.guestId(), duration, ACTOR, null)
                    .map(ban -> created(new BanReply(body.guestId(), null, ban.until())));
        }
        String prefix = Bans.parseAddress(body.ip())
                .orElseThrow(() -> ApiException.badRequest("ip is not an IP address"));
        log.info("operator {} banned an address for {} h", ACTOR, body.hours());
        return bans.banAddress(prefix, duration, ACTOR, null)
                .map(ban -> created(new BanReply(null, prefix, ban.until())));
    }

    /** Lifts a ban early: {@code ?guestId=} or {@code ?ip=} (an address or the prefix a ban names). 404 when none. */
    @DeleteMapping("/bans")
    Mono<ResponseEntity<Void>> lift(@RequestParam(required = false) String guestId,
            @RequestParam(required = false) String ip, ServerHttpRequest request) {
        authorize(request);
        if ((guestId == null) == (ip == null)) {
            throw ApiException.badRequest("give exactly one of guestId or ip");
        }
        if (guestId != null && !guestId.matches(GUEST_ID)) {
            throw ApiException.badRequest("guestId is not a guest id");
        }
        String kind = guestId != null ? "guest" : "address";
        String target = guestId != null ? guestId
                : Bans.parseAddress(ip).orElseThrow(() -> ApiException.badRequest("ip is not an IP address"));
        return bans.lift(kind, target)
                .switchIfEmpty(Mono.error(() -> new ApiException(HttpStatus.NOT_FOUND, "Not found", "no such active ban")))
                .doOnNext(ban -> log.info("operator {} lifted the ban of {} {}", ACTOR, kind,
                        "guest".equals(kind) ? target : "(address)"))
                .thenReturn(ResponseEntity.noContent().<Void>build());
    }

    /** Live state across all servers, from Redis counters each server writes every few seconds. */
    @GetMapping("/live")
    Mono<LiveStats.Now> live(ServerHttpRequest request) {
        authorize(request);
        return live.now();
    }

    /** The last hour, one point per minute, oldest first. */
    @GetMapping("/live/series")
    Mono<Series> series(ServerHttpRequest request) {
        authorize(request);
        return live.series().map(Series::new);
    }

    private Mono<ObjectNode> found(String id) {
        if (!id.matches(REPORT_ID)) {
            // No report can have this id: as unknown as one that expired.
            return Mono.error(() -> new ApiException(HttpStatus.NOT_FOUND, "Not found", "no such report"));
        }
        return reports.get(id)
                .switchIfEmpty(Mono.error(() -> new ApiException(HttpStatus.NOT_FOUND, "Not found", "no such report")));
    }

    /** The report as the console shows it: file messages carry links that work on this port. */
    private JsonNode present(JsonNode stored) {
        ObjectNode report = (ObjectNode) stored.deepCopy();
        String channelId = report.path("channelId").asString();
        report.path("evidence").values().forEach(message -> {
            JsonNode file = message.path("file");
            if (file instanceof ObjectNode fileNode && file.hasNonNull("id")) {
                fileNode.put("url", files.link(channelId, file.get("id").asString()));
            }
        });
        return report;
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.asString();
    }

    private void authorize(ServerHttpRequest request) {
        byte[] presented = sha256(GuestAuth.bearer(request).orElse(""));
        // Constant time: compare digests of equal length, never the raw strings.
        if (!MessageDigest.isEqual(presented, tokenDigest)) {
            throw ApiException.unauthorized("the admin token is missing or wrong");
        }
    }

    private static Duration hours(Integer hours) {
        if (hours == null || hours < 1 || hours > MAX_BAN_HOURS) {
            throw ApiException.badRequest("hours must be between 1 and " + MAX_BAN_HOURS);
        }
        return Duration.ofHours(hours);
    }

    private static Instant instant(String name, String text) {
        try {
            return text == null || text.isBlank() ? null : Instant.parse(text);
        }
        catch (DateTimeParseException ex) {
            throw ApiException.badRequest(name + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
        }
    }

    private static ApiException alreadyActed() {
        return new ApiException(HttpStatus.CONFLICT, "Conflict", "this report was already acted on");
    }

    private static <T> ResponseEntity<T> created(T body) {
        return ResponseEntity.status(HttpStatus.CREATED).body(body);
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        }
        catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }

    @JsonInclude(JsonInclude.Include.ALWAYS)
    record ReportList(List<JsonNode> reports, String next) {
    }

    record ActionRequest(String action, Integer hours) {
    }

    record BanList(List<Bans.Ban> bans) {
    }

    record Series(List<LiveStats.Point> points) {
    }

    record BanRequest(String guestId, String ip, Integer hours) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record BanReply(String guestId, String ip, Instant until) {
    }
}
