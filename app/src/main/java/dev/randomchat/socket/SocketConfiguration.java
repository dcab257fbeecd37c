package dev.randomchat.socket;

import io.micrometer.core.instrument.MeterRegistry;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.randomchat.auth.GuestAuth;
import dev.randomchat.call.CallService;
import dev.randomchat.chat.ChannelProperties;
import dev.randomchat.chat.ChannelService;
import dev.randomchat.match.MatchService;
import dev.randomchat.presence.ServerPresence;
import dev.randomchat.safety.Aftermath;
import dev.randomchat.safety.Bans;
import dev.randomchat.system.ForwardedHeadersFilter;
import dev.randomchat.system.HttpProperties;
import dev.randomchat.system.MinuteLimit;
import dev.randomchat.upload.UploadProperties;

@Configuration(proxyBeanMethods = false)
class SocketConfiguration {

    @Bean
    SocketHandler socketHandler(SocketProperties properties, Connections connections, JsonMapper json,
            MatchService matching, ChannelService chat, Aftermath aftermath, ServerPresence presence,
            CallService calls, UploadProperties uploads, ChannelProperties channel) {
        MinuteLimit joins = matching.joinsLimit(properties.joinsPerMinute());
        return new SocketHandler(properties, connections, json, matching, chat, aftermath, presence, calls, joins,
                uploads.maxUploadBytes(),
                Math.min(ChannelService.REPLAY_PAGE, channel.maxMessages()));
    }

    /** {@code /ws} on Reactor Netty itself, ahead of WebFlux (which serves every other path). */
    @Bean
    SocketRoute socketRoute(SocketHandler handler, GuestAuth auth, Bans bans, Connections connections,
            ForwardedHeadersFilter proxies, HttpProperties http, MeterRegistry meters) {
        return new SocketRoute(handler, auth, bans, connections, proxies, http.allowedOrigins(), meters);
    }
}
