package dev.randomchat.support;

import java.util.Map;

import tools.jackson.databind.JsonNode;

/** A guest with its own socket on a server: the shape most chat tests need. */
public final class Visitor implements AutoCloseable {

    private final String id;
    private final String name;
    private final String token;
    private final WsClient socket;

    private Visitor(String id, String name, String token, WsClient socket) {
        this.id = id;
        this.name = name;
        this.token = token;
        this.socket = socket;
    }

    public static Visitor arrive(ChatServer server, String name) {
        JsonNode guest = Guests.create(server.baseUrl(), name);
        String token = guest.get("token").asString();
        WsClient socket = WsClient.connect(server.wsUri(), token);
        socket.await("hello");
        return new Visitor(guest.get("id").asString(), name, token, socket);
    }

    /** The same guest coming back with a new socket on any server (its old one is closed). */
    public static Visitor arriveAs(Visitor guest, ChatServer server) {
        guest.close();
        return new Visitor(guest.id, guest.name, guest.token, guest.connect(server));
    }

    /** Another socket of the same guest, on any server. */
    public WsClient connect(ChatServer server) {
        WsClient another = WsClient.connect(server.wsUri(), token);
        another.await("hello");
        return another;
    }

    public Visitor reconnect(ChatServer server) {
        socket.close();
        return new Visitor(id, name, token, connect(server));
    }

    public String id() {
        return id;
    }

    public String name() {
        return name;
    }

    public String token() {
        return token;
    }

    public WsClient socket() {
        return socket;
    }

    public Visitor send(Map<String, ?> frame) {
        socket.send(frame);
        return this;
    }

    /**
     * {@code first} asks to match and waits; {@code second} asks and meets it (the queue is first in,
     * first out): both are told they matched.
     */
    public static void pair(Visitor first, Visitor second) {
        first.send(Map.of("type", "match"));
        first.await("waiting");
        second.send(Map.of("type", "match"));
        first.await("matched");
        second.await("matched");
    }

    public JsonNode await(String type) {
        return socket.await(type);
    }

    @Override
    public void close() {
        socket.close();
    }
}
