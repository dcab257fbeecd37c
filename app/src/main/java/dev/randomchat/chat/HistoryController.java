package dev.randomchat.chat;

import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import dev.randomchat.auth.ChannelAuth;
import dev.randomchat.auth.ChannelGrant;
import dev.randomchat.system.ApiException;
import dev.randomchat.system.MinuteLimit;
import dev.randomchat.system.Redis;

/** {@code GET /api/channels/{id}/messages}: a page of a channel's stored messages. */
@RestController
class HistoryController {

    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 100;

    private final ChannelService channels;
    private final ChannelAuth auth;
    private final JsonMapper json;
    private final MinuteLimit pages;

    HistoryController(ChannelService channels, ChannelAuth auth, JsonMapper json, Redis redis,
            ChannelProperties properties) {
        this.channels = channels;
        this.auth = auth;
        this.json = json;
        this.pages = new MinuteLimit(redis, "history", properties.historyPerMinute());
    }

    @GetMapping("/api/channels/{channelId}/messages")
    Mono<ResponseEntity<String>> messages(@PathVariable String channelId,
            @RequestParam(defaultValue = "0") String after, @RequestParam(defaultValue = "" + DEFAULT_LIMIT) String limit,
            ServerHttpRequest request) {
        ChannelGrant grant = auth.require(request, channelId);
        long afterSeq = number(after, "after");
        long size = number(limit, "limit");
        if (afterSeq < 0) {
            throw ApiException.badRequest("after must not be negative");
        }
        if (size < 1 || size > MAX_LIMIT) {
            throw ApiException.badRequest("limit must be between 1 and " + MAX_LIMIT);
        }
        return pages.tryAcquire(grant.guestId())
                .flatMap(allowed -> allowed ? channels.read(channelId, grant.guestId(), afterSeq, (int) size)
                        : Mono.error(new ApiException(HttpStatus.TOO_MANY_REQUESTS, "Too many requests",
                                "too many history pages read; wait a minute")))
                .map(state -> {
                    if ("gone".equals(state.status()) || !state.member(grant.guestId())) {
                        throw new ApiException(HttpStatus.NOT_FOUND, "Not found",
                                "this channel has expired");
                    }
                    // Stored messages are JSON already: they are embedded as they are, not re-encoded.
                    String body = "{\"channelId\":" + json.writeValueAsString(channelId)
                            + ",\"messages\":[" + String.join(",", state.messages()) + "]"
                            + ",\"lastSeq\":" + state.lastSeq()
                            + ",\"firstSeq\":" + state.firstSeq()
                            + ",\"peerSeen\":" + state.seenByPeerOf(grant.guestId()) + "}";
                    return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
                });
    }

    private static long number(String value, String name) {
        try {
            return Long.parseLong(value);
        }
        catch (NumberFormatException ex) {
            throw ApiException.badRequest(name + " must be an integer");
        }
    }
}
