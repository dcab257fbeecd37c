package dev.randomchat.support;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Random;

/**
 * A websocket client on a bare TCP socket, for the two things the JDK client ({@link WsClient},
 * which every other test uses) cannot do:
 * <ul>
 * <li>write frames exactly as told: any opcode, any payload (invalid UTF-8 included), fragments,
 *     unmasked frames, reserved bits, a length with no payload. What the JDK client refuses to
 *     send, a hostile client sends anyway;
 * <li>really stop reading: the JDK client keeps reading into its own memory whatever the
 *     application does; this one, with a small receive buffer ({@link #connect}), reads only when
 *     told to, so the server sees a client that cannot keep up.
 * </ul>
 * Whatever it sends, every text frame the server answers with must match the published contract
 * ({@link FrameSchemas}). Of what it sends, only {@link #sendText} frames are checked: the
 * byte-level methods and {@link #sendMalformedText} exist to break the protocol.
 */
public final class RawWebSocket implements AutoCloseable {

    public static final int CONTINUATION = 0x0;
    public static final int TEXT = 0x1;
    public static final int BINARY = 0x2;
    public static final int CLOSE = 0x8;
    public static final int PING = 0x9;

    /** Every read of a hostile client waits at most this long. */
    private static final Duration READ = Duration.ofSeconds(10);

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;
    /** Masks need no secrecy here; a fixed seed keeps runs repeatable. */
    private final Random masks = new Random(7);

    private RawWebSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /**
     * Upgrades with {@code Authorization: Bearer <guestToken>} and a receive buffer of this size,
     * then reads nothing more until told to: a client that stalls.
     */
    public static RawWebSocket connect(URI ws, String guestToken, int receiveBufferBytes) {
        return accepted(upgrade(InetAddress.getLoopbackAddress(), ws, guestToken, "", receiveBufferBytes, WsClient.WAIT));
    }

    /** Upgrades with {@code Authorization: Bearer <guestToken>}; fails unless the server answers 101. */
    public static RawWebSocket open(URI ws, String guestToken) {
        return open(InetAddress.getLoopbackAddress(), ws, guestToken, "");
    }

    /**
     * Upgrades from {@code local} with extra raw header lines ({@code "Name: value\r\n"} each);
     * fails unless the server answers 101.
     */
    public static RawWebSocket open(InetAddress local, URI ws, String guestToken, String extraHeaders) {
        return accepted(upgrade(local, ws, guestToken, extraHeaders, 0, READ));
    }

    /** The status an upgrade from {@code local} is answered with (101 when accepted; the socket is then closed). */
    public static int upgradeStatus(InetAddress local, URI ws, String guestToken, String extraHeaders) {
        Upgrade upgrade = upgrade(local, ws, guestToken, extraHeaders, 0, READ);
        upgrade.socket().close();
        return upgrade.status();
    }

    private static RawWebSocket accepted(Upgrade upgrade) {
        if (upgrade.status() != 101) {
            upgrade.socket().close();
            throw new IllegalStateException("upgrade refused with " + upgrade.status());
        }
        return upgrade.socket();
    }

    private static Upgrade upgrade(InetAddress local, URI ws, String guestToken, String extraHeaders,
            int receiveBufferBytes, Duration timeout) {
        try {
            Socket socket = new Socket();
            if (receiveBufferBytes > 0) {
                socket.setReceiveBufferSize(receiveBufferBytes);
            }
            socket.bind(new InetSocketAddress(local, 0));
            socket.connect(new InetSocketAddress(ws.getHost(), ws.getPort()), (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            RawWebSocket client = new RawWebSocket(socket);
            byte[] key = new byte[16];
            client.masks.nextBytes(key);
            String request = "GET " + ws.getPath() + " HTTP/1.1\r\n"
                    + "Host: " + ws.getHost() + ":" + ws.getPort() + "\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\n"
                    + "Sec-WebSocket-Version: 13\r\n"
                    + (guestToken == null ? "" : "Authorization: Bearer " + guestToken + "\r\n")
                    + extraHeaders + "\r\n";
            client.out.write(request.getBytes(StandardCharsets.US_ASCII));
            client.out.flush();
            return new Upgrade(client, Integer.parseInt(client.head().split(" ")[1]));
        }
        catch (IOException ex) {
            throw new IllegalStateException("upgrade failed: " + ex, ex);
        }
    }

    /** Writes one masked frame. */
    public void send(boolean fin, int opcode, byte[] payload) {
        send(fin, 0, opcode, payload, true);
    }

    /** Writes one frame with the given reserved bits (0-7) and masking. */
    public void send(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) {
        try {
            out.write((fin ? 0x80 : 0) | (rsv & 0x7) << 4 | opcode);
            int maskBit = masked ? 0x80 : 0;
            if (payload.length < 126) {
                out.write(maskBit | payload.length);
            }
            else if (payload.length <= 0xFFFF) {
                out.write(maskBit | 126);
                out.write(payload.length >>> 8);
                out.write(payload.length & 0xFF);
            }
            else {
                out.write(maskBit | 127);
                long length = payload.length;
                for (int shift = 56; shift >= 0; shift -= 8) {
                    out.write((int) (length >>> shift) & 0xFF);
                }
            }
            byte[] wire = payload.clone();
            if (masked) {
                byte[] mask = new byte[4];
                masks.nextBytes(mask);
                out.write(mask);
                for (int i = 0; i < wire.length; i++) {
                    wire[i] ^= mask[i % 4];
                }
            }
            out.write(wire);
            out.flush();
        }
        catch (SocketException ex) {
            // The server may close mid-frame (a frame over its ceiling); the caller reads the outcome.
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Writes only the head of a masked frame that claims {@code length} payload bytes, and no payload. */
    public void declare(int opcode, long length) {
        try {
            out.write(0x80 | opcode);
            out.write(0x80 | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) (length >>> shift) & 0xFF);
            }
            out.write(new byte[4]);
            out.flush();
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Sends a frame of the protocol; fails unless it matches its schema. */
    public void sendText(String text) {
        FrameSchemas.requireValid(FrameSchemas.Direction.CLIENT, text);
        sendMalformedText(text);
    }

    /** Sends text as it is, unchecked: a frame the protocol forbids, on purpose. */
    public void sendMalformedText(String text) {
        send(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Reads frames until a text frame or the close: the text, or {@code close:<code>} (-1 when the
     * connection ended without a close frame).
     */
    public String next() {
        try {
            while (true) {
                Frame frame = readFrame();
                if (frame.opcode() == TEXT) {
                    return checked(frame);
                }
                if (frame.opcode() == CLOSE) {
                    return "close:" + frame.closeCode();
                }
            }
        }
        catch (EOFException | SocketException ex) {
            return "close:-1";
        }
        catch (SocketTimeoutException ex) {
            throw new AssertionError("no frame within " + READ);
        }
        catch (IOException ex) {
            throw new IllegalStateException(ex);
        }
    }

    /** Reads one text frame (for the first frames, before a client stalls). */
    public String readText() throws IOException {
        while (true) {
            Frame frame = readFrame();
            if (frame.opcode() == TEXT) {
                return checked(frame);
            }
        }
    }

    /** Reads and discards frames until the server's close frame; returns its code (-1: no close frame). */
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
            if (frame.opcode() == CLOSE) {
                return frame.closeCode();
            }
        }
        throw new AssertionError("no close frame within " + timeout);
    }

    private static String checked(Frame frame) {
        String text = new String(frame.payload(), StandardCharsets.UTF_8);
        FrameSchemas.requireValid(FrameSchemas.Direction.SERVER, text);
        return text;
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

    private String head() throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the upgrade: " + head);
            }
            head.append((char) b);
        }
        return head.toString();
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

        /** The code of a close frame (1005 when it carries none). */
        int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }
    }

    private record Upgrade(RawWebSocket socket, int status) {
    }
}
