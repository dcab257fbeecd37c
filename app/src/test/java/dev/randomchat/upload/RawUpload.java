package dev.randomchat.upload;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import dev.randomchat.support.RawHttp;

/**
 * An upload on a bare socket that the test drives by hand: it declares a file of {@code fileBytes},
 * sends the headers and the start of the body, then only what the test asks for. It can stall,
 * trickle, abort (a reset, as when a browser tab closes mid-upload) or wait for the answer.
 */
final class RawUpload implements AutoCloseable {

    private final Socket socket;
    private final OutputStream out;

    private RawUpload(Socket socket) throws IOException {
        this.socket = socket;
        this.out = socket.getOutputStream();
    }

    /** Sends the request head, the part's head and the file's first {@code sentBytes} of {@code fileBytes}. */
    static RawUpload start(int port, String channelId, String token, int fileBytes, int sentBytes) {
        byte[] head = ("--" + FileApi.BOUNDARY + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"slow.bin\""
                + "\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + FileApi.BOUNDARY + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        String request = "POST /api/channels/" + channelId + "/files HTTP/1.1\r\n"
                + "Host: 127.0.0.1:" + port + "\r\n"
                + "Authorization: Bearer " + token + "\r\n"
                + "Content-Type: " + FileApi.multipartType() + "\r\n"
                + "Content-Length: " + (head.length + fileBytes + tail.length) + "\r\n\r\n";
        try {
            RawUpload upload = new RawUpload(new Socket(InetAddress.getLoopbackAddress(), port));
            upload.out.write(request.getBytes(StandardCharsets.US_ASCII));
            upload.out.write(head);
            upload.send(sentBytes);
            return upload;
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** More of the file (never its end). */
    void send(int bytes) throws IOException {
        out.write(new byte[bytes]);
        out.flush();
    }

    /** Whether the server has answered or closed the connection yet, without waiting. */
    boolean answered() throws IOException {
        return socket.getInputStream().available() > 0;
    }

    /** Closes the connection with a reset, mid-body. */
    void abort() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    /** The server's answer within {@code timeout}, and whether it then closed the connection. */
    Answer answer(Duration timeout) throws IOException {
        socket.setSoTimeout((int) timeout.toMillis());
        InputStream in = socket.getInputStream();
        RawHttp.Response response = RawHttp.readResponse(in);
        boolean closed;
        try {
            closed = in.read() < 0;
        }
        catch (SocketTimeoutException ex) {
            closed = false;
        }
        catch (IOException ex) {
            closed = true;
        }
        return new Answer(response, closed);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** How many uploads are being written to this spool folder right now. */
    static long spooling(Path spoolDir) {
        try (Stream<Path> files = Files.list(spoolDir)) {
            return files.count();
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** The server's answer, and whether it closed the connection after it. */
    record Answer(RawHttp.Response response, boolean closedAfter) {

        int status() {
            return response.status();
        }

        String header(String name) {
            return response.header(name);
        }

        String body() {
            return response.body();
        }
    }
}
