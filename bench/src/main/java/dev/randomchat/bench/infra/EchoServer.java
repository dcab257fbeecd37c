package dev.randomchat.bench.infra;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.HttpResources;
import reactor.netty.http.server.HttpServer;
import reactor.netty.http.server.WebsocketServerSpec;

/**
 * The baselines' server: a bare Reactor Netty websocket at {@code /ws} that echoes every text
 * frame (and, when nothing is sent, is the bare idle websocket), and {@code /heap}, the heap in
 * use summed over the heap pools exactly as Micrometer's {@code jvm.memory.used} (area heap) does.
 * Given a Redis port, it also pairs visitors at {@code /pair} ({@link PairingRoute}).
 */
public final class EchoServer {

    private EchoServer() {
    }

    /** {@code redisPort} 0: no {@code /pair}. */
    public static void main(int port, int redisPort) {
        WebsocketServerSpec spec = WebsocketServerSpec.builder().maxFramePayloadLength(65536).build();
        PairingRoute pairing = redisPort == 0 ? null : new PairingRoute(redisPort, HttpResources.get());
        DisposableServer server = HttpServer.create()
                .host("0.0.0.0")
                .port(port)
                .route(routes -> (pairing == null ? routes : pairing.addTo(routes, spec))
                        .ws("/ws", (in, out) -> out.sendObject(in.aggregateFrames(65536)
                                .receiveFrames()
                                .filter(frame -> frame instanceof TextWebSocketFrame)
                                .map(frame -> new TextWebSocketFrame(frame.content().retain()))), spec)
                        .get("/heap", (request, response) -> response.sendString(
                                Mono.fromSupplier(() -> Long.toString(heapUsed())))))
                .bindNow();
        server.onDispose().block();
    }

    static long heapUsed() {
        long used = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                used += pool.getUsage().getUsed();
            }
        }
        return used;
    }
}
