package dev.randomchat.call;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import dev.randomchat.auth.ChannelAuth;
import dev.randomchat.auth.ChannelGrant;
import dev.randomchat.chat.ChannelService;
import dev.randomchat.system.ApiException;

/**
 * {@code GET /api/channels/{id}/ice}: the STUN and TURN servers a guest's browser may use for a
 * call in this channel, the TURN entry with credentials of its own that expire. Only while the
 * channel is open: a channel token outlives its channel, and TURN relay time is not handed out for
 * a call that can no longer happen (410).
 */
@RestController
class IceController {

    private final CallProperties properties;
    private final ChannelAuth auth;
    private final ChannelService channels;
    private final Clock clock;

    IceController(CallProperties properties, ChannelAuth auth, ChannelService channels) {
        this.properties = properties;
        this.auth = auth;
        this.channels = channels;
        this.clock = Clock.systemUTC();
    }

    @GetMapping("/api/channels/{channelId}/ice")
    Mono<Map<String, Object>> ice(@PathVariable String channelId, ServerHttpRequest request) {
        ChannelGrant grant = auth.require(request, channelId);
        return channels.isOpen(channelId)
                .flatMap(open -> open ? Mono.just(iceServers(grant))
                        : Mono.error(new ApiException(HttpStatus.GONE, "Gone", "the channel is closed")));
    }

    private Map<String, Object> iceServers(ChannelGrant grant) {
        List<Map<String, Object>> servers = new ArrayList<>();
        if (!properties.stunUrls().isEmpty()) {
            servers.add(Map.of("urls", properties.stunUrls()));
        }
        if (properties.turnEnabled()) {
            TurnCredentials credentials = TurnCredentials.issue(properties.turnSecret(), grant.guestId(),
                    clock.instant().plus(properties.turnTtl()));
            Map<String, Object> turn = new LinkedHashMap<>();
            turn.put("urls", properties.turnUrls());
            turn.put("username", credentials.username());
            turn.put("credential", credentials.credential());
            servers.add(turn);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("iceServers", servers);
        body.put("ttlSeconds", properties.turnTtl().toSeconds());
        body.put("iceTransportPolicy", properties.iceTransportPolicy());
        return body;
    }
}
