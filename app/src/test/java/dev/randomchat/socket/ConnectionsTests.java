package dev.randomchat.socket;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import dev.randomchat.auth.Guest;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionsTests {

    private final SocketProperties properties = new SocketProperties(10_000, 10_000, 4096, 4000, 20, 40,
            Duration.ofSeconds(25), Duration.ofSeconds(60), 10_000, Duration.ZERO, 64 * 1024, 0,
            Duration.ofSeconds(30), 30, 10);

    @Test
    void knowsEachGuestsSocketsAsTheyComeAndGo() {
        Connections connections = new Connections(properties, new SimpleMeterRegistry());
        Guest guest = new Guest("g", "Guest");
        Connection first = socket("first", guest, connections);
        Connection second = socket("second", guest, connections);
        Connection other = socket("other", new Guest("h", "Guest"), connections);
        List.of(first, second, other).forEach(connections::add);

        assertThat(connections.ofGuest("g")).containsExactlyInAnyOrder(first, second);
        connections.remove(first);
        assertThat(connections.ofGuest("g")).containsExactly(second);
        connections.remove(second);
        connections.remove(second);
        assertThat(connections.ofGuest("g")).isEmpty();
        assertThat(connections.ofGuest("h")).containsExactly(other);
        assertThat(connections.ofGuest("nobody")).isEmpty();
    }

    @Test
    void everyOpenSocketIsInExactlyOneSliceAndLeavesItWhenRemoved() {
        Connections connections = new Connections(properties, new SimpleMeterRegistry());
        List<Connection> sockets = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            Connection socket = new Connection("socket-" + i, new Guest("g" + i, "Guest"), "127.0.0.1",
                    JsonMapper.builder().build(), properties, 10_000, connections.budget(), slow -> { }, code -> { });
            connections.add(socket);
            sockets.add(socket);
        }
        assertThat(visitSlices(connections)).containsExactlyInAnyOrderElementsOf(sockets);
        List<Connection> removed = sockets.subList(0, 250);
        removed.forEach(connections::remove);
        List<Connection> left = visitSlices(connections);
        assertThat(left).containsExactlyInAnyOrderElementsOf(sockets.subList(250, 500));
        List<Integer> sizes = new ArrayList<>();
        for (int slice = 0; slice < Connections.SLICES; slice++) {
            List<Connection> one = new ArrayList<>();
            connections.forEachIn(Connection.NOT_SERVED, slice, one::add);
            sizes.add(one.size());
        }
        // Spread by id: no slice holds much more than its share (250 / 25 = 10).
        assertThat(sizes).allSatisfy(size -> assertThat(size).isLessThan(30));
    }

    private Connection socket(String id, Guest guest, Connections connections) {
        return new Connection(id, guest, "127.0.0.1", JsonMapper.builder().build(), properties, 10_000,
                connections.budget(), slow -> { }, code -> { });
    }

    private static List<Connection> visitSlices(Connections connections) {
        List<Connection> seen = new ArrayList<>();
        for (int slice = 0; slice < Connections.SLICES; slice++) {
            connections.forEachIn(Connection.NOT_SERVED, slice, seen::add);
        }
        return seen;
    }
}
