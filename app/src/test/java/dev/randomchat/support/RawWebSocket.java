package dev.randomchat.support;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

/**
 * A websocket client on a bare TCP socket that reads only when told to. The JDK client keeps
 * reading into its own memory whatever the application does; this one really stops, so the
 * server sees a client that cannot keep up.
 */
public final class RawWebSocket implements AutoCloseable {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects and upgrades with {@code Authorization: Bearer <guestToken>}; reads nothing more. */
    public static RawWebSocket connect(URI uri, String guestToken, int receiveBufferBytes) {
        try {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(receiveBufferBytes);
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5000);
            socket.setSoTimeout((int) WsClient.WAIT.toMillis());
            RawWebSocket client = new RawWebSocket(socket);
            byte[] key = new byte[16];
            RANDOM.nextBytes(key);
            String request = "GET " + uri.getPath() + " HTTP/1.1\r\n"
                    + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n"
                    + "Authorization: Bearer " + guestToken + "\r\n\r\n";
            client.out.write(request.getBytes(StandardCharsets.US_ASCII));
            client.out.flush();
            String status = client.readHeaders();
            if (!status.contains(" 101 ")) {
                throw new IllegalStateException("upgrade refused: " + status);
            }
            return client;
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Sends a frame of the protocol; fails unless it matches its schema ({@link FrameSchemas}). */
    public void sendText(String text) {
        FrameSchemas.requireValid(FrameSchemas.Direction.CLIENT, text);
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        try {
            out.write(0x81);
            if (payload.length < 126) {
                out.write(0x80 | payload.length);
            }
            else {
                out.write(0x80 | 126);
                out.write(payload.length >>> 8);
                out.write(payload.length & 0xFF);
            }
            out.write(mask);
            for (int i = 0; i < payload.length; i++) {
                out.write(payload[i] ^ mask[i % 4]);
            }
            out.flush();
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Reads one text frame (for the first frames, before the client stalls); fails unless it
     * matches its schema ({@link FrameSchemas}).
     */
    public String readText() throws IOException {
        while (true) {
            Frame frame = readFrame();
            if (frame.opcode() == 1) {
                String text = new String(frame.payload(), StandardCharsets.UTF_8);
                FrameSchemas.requireValid(FrameSchemas.Direction.SERVER, text);
                return text;
            }
        }
    }

    /** Reads and discards frames until the server's close frame; returns its code. */
    public int drainUntilClose(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Frame frame;
            try {
                frame = readFrame();
            }
            catch (EOFException ex) {
                return -1;
            }
            if (frame.opcode() == 8) {
                byte[] payload = frame.payload();
                return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
            }
        }
        throw new AssertionError("no close frame within " + timeout);
    }

    private Frame readFrame() throws IOException {
        int first = in.readUnsignedByte();
        int second = in.readUnsignedByte();
        long length = second & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        }
        else if (length == 127) {
            length = in.readLong();
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame(first & 0x0F, payload);
    }

    private String readHeaders() throws IOException {
        StringBuilder headers = new StringBuilder();
        InputStream raw = in;
        while (!headers.toString().endsWith("\r\n\r\n")) {
            int b = raw.read();
            if (b < 0) {
                throw new EOFException("connection closed during the upgrade");
            }
            headers.append((char) b);
        }
        return headers.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        }
        catch (IOException ignored) {
            // closing a test socket
        }
    }

    private record Frame(int opcode, byte[] payload) {
    }
}
