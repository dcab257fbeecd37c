package dev.randomchat.auth;

import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

import dev.randomchat.system.ApiException;

/** Checks the channel token of an HTTP call: 401 without a valid one, 403 for another channel. */
@Component
public class ChannelAuth {

    private final TokenService tokens;

    ChannelAuth(TokenService tokens) {
        this.tokens = tokens;
    }

    public ChannelGrant require(ServerHttpRequest request, String channelId) {
        ChannelGrant grant = GuestAuth.bearer(request)
                .flatMap(tokens::verifyChannel)
                .orElseThrow(() -> ApiException.unauthorized("a valid channel token is required"));
        if (!grant.channelId().equals(channelId)) {
            throw ApiException.forbidden("this token is for another channel");
        }
        return grant;
    }
}
