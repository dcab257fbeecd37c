package dev.randomchat.safety;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.randomchat.auth.GuestAuth;
import dev.randomchat.system.ApiException;
import dev.randomchat.system.Cidr;

/**
 * The operators' API, behind {@code Authorization: Bearer <ADMIN_TOKEN>}. Without ADMIN_TOKEN the
 * controller does not exist: no admin route answers anything but 404.
 */
@RestController
@RequestMapping("/api/admin")
@ConditionalOnExpression("!'${chat.safety.admin-token:}'.isBlank()")
class AdminController {

    private static final Logger log = LoggerFactory.getLogger(AdminController.class);
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 200;
    static final int MAX_BAN_HOURS = 24 * 365;

    private final byte[] tokenDigest;
    private final Reports reports;
    private final Bans bans;

    AdminController(SafetyProperties properties, Reports reports, Bans bans) {
        this.tokenDigest = sha256(properties.adminToken());
        this.reports = reports;
        this.bans = bans;
    }

    @GetMapping("/reports")
    Mono<ReportList> reports(@RequestParam(defaultValue = "" + DEFAULT_LIMIT) int limit, ServerHttpRequest request) {
        authorize(request);
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.badRequest("limit must be between 1 and " + MAX_LIMIT);
        }
        return reports.list(limit).collectList().map(ReportList::new);
    }

    @PostMapping("/bans")
    Mono<ResponseEntity<BanReply>> ban(@RequestBody(required = false) BanRequest body, ServerHttpRequest request) {
        authorize(request);
        if (body == null || (body.guestId() == null) == (body.ip() == null)) {
            throw ApiException.badRequest("give exactly one of guestId or ip");
        }
        if (body.hours() == null || body.hours() < 1 || body.hours() > MAX_BAN_HOURS) {
            throw ApiException.badRequest("hours must be between 1 and " + MAX_BAN_HOURS);
        }
        Duration duration = Duration.ofHours(body.hours());
        if (body.guestId() != null) {
            if (!body.guestId().matches("[A-Za-z0-9_-]{1,64}")) {
                throw ApiException.badRequest("guestId is not a guest id");
            }
            log.info("operator banned guest {} for {} h", body.guestId(), body.hours());
            return bans.banGuest(body.guestId(), duration)
                    .map(until -> created(new BanReply(body.guestId(), null, until)));
        }
        String ip = canonicalIp(body.ip());
        log.info("operator banned an address for {} h", body.hours());
        return bans.banIp(ip, duration).map(until -> created(new BanReply(null, ip, until)));
    }

    private void authorize(ServerHttpRequest request) {
        byte[] presented = sha256(GuestAuth.bearer(request).orElse(""));
        // Constant time: compare digests of equal length, never the raw strings.
        if (!MessageDigest.isEqual(presented, tokenDigest)) {
            throw ApiException.unauthorized("the admin token is missing or wrong");
        }
    }

    private static String canonicalIp(String ip) {
        try {
            Cidr single = Cidr.parse(ip);
            return InetAddress.getByAddress(single.network()).getHostAddress();
        }
        catch (IllegalArgumentException | UnknownHostException ex) {
            throw ApiException.badRequest("ip is not an IP address");
        }
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

    record ReportList(List<JsonNode> reports) {
    }

    record BanRequest(String guestId, String ip, Integer hours) {
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record BanReply(String guestId, String ip, Instant until) {
    }
}
