package dev.randomchat.socket;

import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import reactor.netty.http.server.WebsocketServerSpec;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.boot.reactor.netty.NettyServerCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.reactive.HandlerMapping;
import org.springframework.web.reactive.handler.SimpleUrlHandlerMapping;
import org.springframework.web.reactive.socket.server.support.HandshakeWebSocketService;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.socket.server.WebSocketService;
import org.springframework.web.reactive.socket.server.upgrade.ReactorNettyRequestUpgradeStrategy;

import dev.randomchat.auth.GuestAuth;
import dev.randomchat.chat.ChannelProperties;
import dev.randomchat.chat.ChannelService;
import dev.randomchat.match.MatchService;
import dev.randomchat.safety.Bans;
import dev.randomchat.system.HttpProperties;
import dev.randomchat.upload.UploadProperties;

@Configuration(proxyBeanMethods = false)
class SocketConfiguration {

    /** Reactor Netty's own ceiling for one frame; larger frames close the socket with 1009. */
    private static final int MAX_FRAME_PAYLOAD = 64 * 1024;

    @Bean
    SocketHandler socketHandler(SocketProperties properties, Connections connections, GuestAuth auth, JsonMapper json,
            MatchService matching, ChannelService chat, UploadProperties uploads, ChannelProperties channel) {
        return new SocketHandler(properties, connections, auth, json, matching, chat, nettyChannels,
                uploads.maxUploadBytes(),
                channel.maxMessages());
    }

    /** Every connection the server accepts, so a socket can watch its own channel's writability. */
    private final ChannelGroup nettyChannels = new DefaultChannelGroup("http-connections", GlobalEventExecutor.INSTANCE);

    @Bean
    NettyServerCustomizer trackConnections() {
        return server -> server.doOnConnection(connection -> nettyChannels.add(connection.channel()));
    }

    @Bean
    UpgradeFilter upgradeFilter(GuestAuth auth, Bans bans, Connections connections, HttpProperties http,
            MeterRegistry meters) {
        return new UpgradeFilter(auth, bans, connections, http.allowedOrigins(), meters);
    }

    @Bean
    HandlerMapping socketMapping(SocketHandler handler) {
        return new SimpleUrlHandlerMapping(Map.of(UpgradeFilter.PATH, handler), Ordered.HIGHEST_PRECEDENCE);
    }

    /** The websocket service WebFlux's own handler adapter uses, with our frame size ceiling. */
    @Bean
    WebFluxConfigurer webSocketServiceConfigurer() {
        var strategy = new ReactorNettyRequestUpgradeStrategy(() -> WebsocketServerSpec.builder()
                .maxFramePayloadLength(MAX_FRAME_PAYLOAD)
                .handlePing(false));
        var service = new HandshakeWebSocketService(strategy);
        return new WebFluxConfigurer() {
            @Override
            public WebSocketService getWebSocketService() {
                return service;
            }
        };
    }
}
