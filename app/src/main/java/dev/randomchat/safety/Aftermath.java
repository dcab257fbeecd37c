package dev.randomchat.safety;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.stereotype.Component;

import dev.randomchat.auth.ChannelGrant;
import dev.randomchat.auth.TokenService;
import dev.randomchat.chat.ChannelKeys;
import dev.randomchat.chat.ChannelProperties;
import dev.randomchat.chat.ChannelService;
import dev.randomchat.match.Pairings;
import dev.randomchat.protocol.Client;
import dev.randomchat.protocol.ErrorCode;
import dev.randomchat.protocol.FrameException;
import dev.randomchat.protocol.Outbound;
import dev.randomchat.system.LuaScript;
import dev.randomchat.system.Redis;

/**
 * Report and block, in a channel and for {@code REPORT_WINDOW_SECONDS} after it ended (docs/protocol.md
 * 6.1 and 6.2). A channel is named by the socket being in it, or by its id and the guest's channel
 * token. In an open channel both end it as a leave with block would; after the end, both keep
 * the two guests apart for {@code BLOCK_TTL_DAYS}. A report stores the channel's last messages as
 * evidence, once per reporter and channel.
 */
@Component
public class Aftermath {

    /** A report keeps this many of the channel's last messages as evidence (docs/protocol.md 7). */
    static final int EVIDENCE_MESSAGES = 50;

    private static final LuaScript AFTERMATH = LuaScript.load(Aftermath.class, "aftermath.lua");

    private final Redis redis;
    private final TokenService tokens;
    private final ChannelService channels;
    private final Pairings pairings;
    private final Reports reports;
    private final ChannelProperties properties;
    private final JsonMapper json;

    Aftermath(Redis redis, TokenService tokens, ChannelService channels, Pairings pairings, Reports reports,
            ChannelProperties properties, JsonMapper json) {
        this.redis = redis;
        this.json = json;
        this.tokens = tokens;
        this.channels = channels;
        this.pairings = pairings;
        this.reports = reports;
        this.properties = properties;
    }

    /**
     * What aftermath.lua saw: whether the channel is still open, the peer, both guests as the
     * channel knew them, and the newest messages.
     */
    private record Look(String channelId, boolean open, String peer, Map<String, Reports.Person> guests,
            List<String> messages) {
    }

    /** Reports the peer; replies {@code reported} (then {@code ended} when the channel was open). */
    public Mono<Void> report(Client connection, String reason, String note, String channelId, String token) {
        String me = connection.guestId();
        return look(connection, channelId, token, EVIDENCE_MESSAGES, "report")
                .flatMap(look -> reports.save(look.channelId(), look.guests().get(me), look.guests().get(look.peer()),
                                reason, note, look.messages())
                        .then(look.open()
                                ? Mono.fromRunnable(() -> connection.send(new Outbound.Reported(look.channelId())))
                                        .then(leaveBlocking(look, me))
                                : blockPair(look, me)
                                        .then(Mono.fromRunnable(() -> connection.send(new Outbound.Reported(look.channelId()))))));
    }

    /** Blocks the peer; replies {@code blocked} (then {@code ended} when the channel was open). */
    public Mono<Void> block(Client connection, String channelId, String token) {
        String me = connection.guestId();
        return look(connection, channelId, token, 0, "block")
                .flatMap(look -> look.open()
                        ? Mono.fromRunnable(() -> connection.send(new Outbound.Blocked(look.channelId())))
                                .then(leaveBlocking(look, me))
                        : blockPair(look, me)
                                .then(Mono.fromRunnable(() -> connection.send(new Outbound.Blocked(look.channelId())))));
    }

    /** Ends the open channel as a leave with block; if it ended meanwhile, the pair is still blocked. */
    private Mono<Void> leaveBlocking(Look look, String me) {
        return channels.end(look.channelId(), me, "left", true)
                .onErrorResume(FrameException.class, closed -> blockPair(look, me));
    }

    private Mono<Void> blockPair(Look look, String me) {
        return pairings.unpair(me, look.peer(), look.channelId(), true);
    }

    private Mono<Look> look(Client connection, String channelId, String token, int evidence, String ref) {
        String named = named(connection, channelId, token, ref);
        ChannelKeys keys = ChannelKeys.of(redis, named);
        return redis.run(AFTERMATH, List.of(keys.meta(), keys.log()), connection.guestId(),
                        Long.toString(properties.reportWindow().toMillis()), Integer.toString(evidence))
                .map(reply -> {
                    if ("forbidden".equals(reply)) {
                        throw new FrameException(ErrorCode.INVALID_TOKEN, "this channel token is not valid for you", ref);
                    }
                    if (!reply.startsWith("open|") && !reply.startsWith("ended|")) {
                        throw new FrameException(ErrorCode.CHANNEL_CLOSED,
                                "the channel is closed and its report window is over", ref);
                    }
                    String[] lines = reply.split("\n");
                    String head = lines[0];
                    return new Look(named, head.startsWith("open|"), head.substring(head.indexOf('|') + 1),
                            guests(lines[1]), List.of(lines).subList(2, lines.length));
                });
    }

    /** Both guests of aftermath.lua's second line, by id; an address the channel never kept is null. */
    private Map<String, Reports.Person> guests(String line) {
        JsonNode guests = json.readTree(line);
        Map<String, Reports.Person> byId = new HashMap<>(4);
        for (String side : List.of("a", "b")) {
            String id = guests.get(side).asString();
            JsonNode address = guests.get("i" + side);
            byId.put(id, new Reports.Person(id, guests.get(side + "n").asString(),
                    address != null && address.isString() ? address.asString() : null));
        }
        return byId;
    }

    /** The channel the frame means: the one its token names, or else the one the socket is in. */
    private String named(Client connection, String channelId, String token, String ref) {
        if (token == null) {
            String current = channels.channelOf(connection);
            if (current == null) {
                throw new FrameException(ErrorCode.NOT_IN_CHANNEL, "join a channel first, or name one with channelId and token", ref);
            }
            return current;
        }
        ChannelGrant grant = tokens.verifyChannel(token)
                .filter(g -> g.guestId().equals(connection.guestId()) && g.channelId().equals(channelId))
                .orElseThrow(() -> new FrameException(ErrorCode.INVALID_TOKEN,
                        "this channel token is not valid for you and this channel", ref));
        return grant.channelId();
    }
}
