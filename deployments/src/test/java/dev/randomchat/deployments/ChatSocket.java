package dev.randomchat.deployments;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.jayway.jsonpath.JsonPath;

/** One chat websocket (docs/protocol.md section 2) for the smoke test: frames in a queue, waits bounded. */
final class ChatSocket implements AutoCloseable {

    /** What the listener saw: a text frame, or the close (code) that ended the socket. */
    record Event(String frame, int closeCode) {

        boolean isClose() {
            return frame == null;
        }

        String type() {
            return isClose() ? "close" : JsonPath.read(frame, "$.type");
        }
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();

    private final WebSocket socket;

    private ChatSocket(URI uri, String guestToken, Duration timeout) throws Exception {
        this.socket = HttpClient.newBuilder().connectTimeout(timeout).build()
                .newWebSocketBuilder()
                .header("Authorization", "Bearer " + guestToken)
                .connectTimeout(timeout)
                .buildAsync(uri, new Listener())
                .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Opens a socket and waits for its `hello`. */
    static ChatSocket open(URI uri, String guestToken, Duration timeout) throws Exception {
        ChatSocket socket = new ChatSocket(uri, guestToken, timeout);
        try {
            socket.await("hello", timeout);
            return socket;
        }
        catch (Exception | AssertionError ex) {
            socket.close();
            throw ex;
        }
    }

    void send(String json) throws Exception {
        socket.sendText(json, true).get(10, TimeUnit.SECONDS);
    }

    /** The next frame of this type, skipping others (presence, typing...); fails on a close. */
    String await(String type, Duration timeout) throws InterruptedException {
        return await((event) -> event.type().equals(type), timeout, "a `" + type + "` frame").frame();
    }

    /** The next event matching, skipping others; fails on a close that does not match, or the timeout. */
    Event await(Predicate<Event> wanted, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Event event = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (event == null) {
                throw new AssertionError("no " + what + " within " + timeout);
            }
            if (wanted.test(event)) {
                return event;
            }
            if (event.isClose()) {
                throw new AssertionError("the socket closed (" + event.closeCode() + ") while waiting for " + what);
            }
        }
    }

    /** The close event if the socket closed within the timeout, skipping frames; else null. */
    Event awaitCloseOrNull(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Event event = events.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (event == null || event.isClose()) {
                return event;
            }
        }
    }

    /** Frames received so far, without waiting. */
    List<Event> drain() {
        List<Event> drained = new java.util.ArrayList<>();
        events.drainTo(drained);
        return drained;
    }

    @Override
    public void close() {
        socket.abort();
    }

    private final class Listener implements WebSocket.Listener {

        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                events.add(new Event(partial.toString(), 0));
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            events.add(new Event(null, statusCode));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            events.add(new Event(null, -1));
        }
    }
}
