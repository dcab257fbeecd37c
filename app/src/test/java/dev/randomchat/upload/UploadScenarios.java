package dev.randomchat.upload;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import io.micrometer.core.instrument.MeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.randomchat.auth.TokenService;
import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.MatchedPair;
import dev.randomchat.support.WsClient;
import dev.randomchat.system.Redis;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What every file store must do behind the upload API, against a real server with
 * {@code MAX_UPLOAD_BYTES} = {@value #LIMIT}. Subclasses start the server with their store and say
 * what the store holds.
 */
abstract class UploadScenarios {

    static final int LIMIT = 1024 * 1024;
    static final Map<String, String> ENV = Map.of("MAX_UPLOAD_BYTES", Integer.toString(LIMIT),
            "RATE_LIMIT_PER_SECOND", "1000", "RATE_LIMIT_BURST", "1000",
            // One guest stalls many uploads below; the per-guest limit has tests of its own.
            "UPLOADS_IN_FLIGHT", "64");
    private static final Duration GONE_WITHIN = Duration.ofSeconds(10);
    /** More stalled bodies than {@code boundedElastic} has threads on a 2-core machine (20). */
    private static final int STALLED = 30;
    /** Far below the 15 s a stalled body holds on: an upload that waited for them would take longer. */
    private static final Duration UNDELAYED = Duration.ofSeconds(5);
    private static final Random RANDOM = new Random(42);

    abstract ChatServer server();

    /** The file ids the store holds for this channel, looked at from outside the server. */
    abstract List<String> storedFiles(String channelId);

    /** The server's {@code UPLOAD_SPOOL_DIR}, where bodies wait while they arrive. */
    abstract Path spoolDir();

    /** {@link #ENV} with a spool folder of the test's own. */
    static Map<String, String> env(Path spoolDir) {
        Map<String, String> env = new HashMap<>(ENV);
        env.put("UPLOAD_SPOOL_DIR", spoolDir.toString());
        return env;
    }

    static Path newSpoolDir() {
        try {
            return Files.createTempDirectory("rc-spool-");
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    @Test
    void thirtyStalledUploadsDoNotDelayAnotherUploadAndLeaveNothingBehindWhenTheyGo() throws IOException {
        FileApi api = new FileApi(server());
        List<RawUpload> stalled = new ArrayList<>();
        try (MatchedPair pair = MatchedPair.match(server(), server())) {
            try {
                for (int i = 0; i < STALLED; i++) {
                    stalled.add(RawUpload.start(server().port(), pair.channelId, pair.adaToken, LIMIT, 4096));
                }
                Awaitility.await().atMost(GONE_WITHIN).pollInterval(Duration.ofMillis(50))
                        .until(() -> RawUpload.spooling(spoolDir()) == STALLED);

                long start = System.nanoTime();
                byte[] png = png(256 * 1024);
                HttpResponse<String> meanwhile = api.upload(pair.channelId, pair.bobToken, "meanwhile.png", "image/png", png);
                Duration took = Duration.ofNanos(System.nanoTime() - start);

                assertThat(meanwhile.statusCode()).as(meanwhile.body()).isEqualTo(201);
                assertThat(took).isLessThan(UNDELAYED);
                assertThat(api.download(Guests.JSON.readTree(meanwhile.body()).get("url").asString()).body()).isEqualTo(png);
                for (RawUpload upload : stalled) {
                    assertThat(upload.answered()).as("a stalled upload was answered early").isFalse();
                }
            }
            finally {
                for (RawUpload upload : stalled) {
                    upload.close();
                }
            }
            // Their clients went away: every spool file is gone, and none of them became a file.
            Awaitility.await().atMost(GONE_WITHIN).pollInterval(Duration.ofMillis(50))
                    .until(() -> RawUpload.spooling(spoolDir()) == 0);
            assertThat(storedFiles(pair.channelId)).hasSize(1);
        }
    }

    @Test
    void storesAFileThatBothGuestsReceiveAndFetchByItsUrl() {
        FileApi api = new FileApi(server());
        try (MatchedPair pair = MatchedPair.match(server(), server())) {
            byte[] png = png(3000);
            HttpResponse<String> response = api.upload(pair.channelId, pair.adaToken, "photo.png", "image/png", png);

            assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
            JsonNode file = Guests.JSON.readTree(response.body());
            String id = file.get("id").asString();
            String url = file.get("url").asString();
            assertThat(file.get("name").asString()).isEqualTo("photo.png");
            assertThat(file.get("size").asLong()).isEqualTo(png.length);
            assertThat(file.get("contentType").asString()).isEqualTo("image/png");
            assertThat(url).startsWith("/files/" + pair.channelId + "/" + id + "?exp=").contains("&sig=")
                    .doesNotContain(pair.adaToken).doesNotContain(pair.bobToken).doesNotContain("photo");

            pair.ada.send(Map.of("type", "file", "cmid", "f1", "fileId", id));
            assertThat(pair.ada.socket().await(message("f1"), WsClient.WAIT).get("file")).isEqualTo(file);
            assertThat(pair.bob.socket().await(message("f1"), WsClient.WAIT).get("file")).isEqualTo(file);

            HttpResponse<byte[]> download = api.download(url);
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.body()).isEqualTo(png);
            assertThat(header(download, "Content-Type")).isEqualTo("image/png");
            assertThat(header(download, "Content-Length")).isEqualTo(Integer.toString(png.length));
            assertThat(header(download, "X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(header(download, "Content-Disposition")).startsWith("inline");
            assertThat(header(download, "Cache-Control")).contains("private").contains("max-age=");
            assertThat(header(download, "Content-Security-Policy"))
                    .isEqualTo("default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox");
        }
    }

    @Test
    void refusesTamperedForeignAndExpiredLinks() {
        FileApi api = new FileApi(server());
        try (MatchedPair pair = MatchedPair.match(server(), server())) {
            JsonNode one = uploaded(api.upload(pair.channelId, pair.adaToken, "a.png", "image/png", png(100)));
            JsonNode two = uploaded(api.upload(pair.channelId, pair.bobToken, "b.png", "image/png", png(100)));
            String url = one.get("url").asString();
            String exp = url.substring(url.indexOf("exp=") + 4, url.indexOf('&'));
            String sig = url.substring(url.indexOf("sig=") + 4);
            String otherFile = "/files/" + pair.channelId + "/" + two.get("id").asString() + "?exp=" + exp + "&sig=" + sig;
            String later = url.replace("exp=" + exp, "exp=" + (Long.parseLong(exp) + 3600));
            String tampered = url.substring(0, url.length() - 2) + (url.endsWith("AA") ? "BB" : "AA");
            String unsigned = url.substring(0, url.indexOf("&sig="));
            long past = server().bean(TokenService.class).now().getEpochSecond() - 1;
            String expired = "/files/" + pair.channelId + "/" + one.get("id").asString() + "?exp=" + past + "&sig="
                    + server().bean(TokenService.class).signUrl(pair.channelId + "/" + one.get("id").asString() + "/" + past);

            assertThat(api.download(url).statusCode()).isEqualTo(200);
            for (String refused : List.of(otherFile, later, tampered, unsigned)) {
                HttpResponse<byte[]> response = api.download(refused);
                assertThat(response.statusCode()).as(refused).isEqualTo(403);
                assertThat(header(response, "Content-Type")).isEqualTo("application/problem+json");
            }
            assertThat(api.download(expired).statusCode()).isEqualTo(410);
        }
    }

    @Test
    void servesHtmlOrSvgNamedLikeAnImageOnlyAsAnOctetStreamAttachment() {
        FileApi api = new FileApi(server());
        try (MatchedPair pair = MatchedPair.match(server(), server())) {
            byte[] html = "<!doctype html><script>alert(document.cookie)</script>".getBytes(StandardCharsets.UTF_8);
            byte[] svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>".getBytes(StandardCharsets.UTF_8);
            for (byte[] content : List.of(html, svg)) {
                JsonNode file = uploaded(api.upload(pair.channelId, pair.adaToken, "cat.png", "image/png", content));
                assertThat(file.get("name").asString()).isEqualTo("cat.png");
                assertThat(file.get("contentType").asString()).isEqualTo("application/octet-stream");

                HttpResponse<byte[]> download = api.download(file.get("url").asString());
                assertThat(download.statusCode()).isEqualTo(200);
                assertThat(download.body()).isEqualTo(content);
                assertThat(header(download, "Content-Type")).isEqualTo("application/octet-stream");
                assertThat(header(download, "Content-Disposition")).startsWith("attachment;")
                        .contains("filename*=UTF-8''cat.png");
                assertThat(header(download, "X-Content-Type-Options")).isEqualTo("nosniff");
                assertThat(header(download, "Content-Security-Policy")).contains("default-src 'none'").endsWith("sandbox");
            }
        }
    }

    @Test
    void keepsTheClientsFileNameOnlyAsACleanDisplayName() {
        FileApi api = new FileApi(server());
        try (MatchedPair pair = MatchedPair.match(server(), server())) {
            JsonNode file = uploaded(api.upload(pair.channelId, pair.adaToken, "../../etc/\u202Etxt.exe\u0007.png",
                    "image/png", png(10)));
            JsonNode unnamed = uploaded(api.upload(pair.channelId, pair.adaToken, "../", "image/png", png(10)));

            assertThat(file.get("name").asString()).isEqualTo("txt.exe.png");
            assertThat(unnamed.get("name").asString()).isEqualTo("file");
            assertThat(storedFiles(pair.channelId)).containsExactlyInAnyOrder(file.get("id").asString(),
                    unnamed.get("id").asString());
            assertThat(header(api.download(file.get("url").asString()), "Content-Disposition"))
                    .contains("filename*=UTF-8''txt.exe.png");
        }
    }

    @Test
    void acceptsAFileOfExactlyTheLimitAndRefusesOneByteMoreWithOrWithoutContentLength() {
        FileApi api = new FileApi(server());
        MeterRegistry meters = server().bean(MeterRegistry.class);
        double tooLargeBefore = rejected(meters, "too_large");
        try (MatchedPair pair = MatchedPair.match(server(), server())) {
            byte[] exact = random(LIMIT);
            byte[] over = random(LIMIT + 1);

            JsonNode file = uploaded(api.upload(pair.channelId, pair.adaToken, "exact.bin", "application/zip", exact));
            HttpResponse<String> declared = api.upload(pair.channelId, pair.adaToken, "over.bin", "image/png", over);
            HttpResponse<String> chunked = api.uploadChunked(pair.channelId, pair.adaToken, "over.bin", over);

            assertThat(file.get("size").asLong()).isEqualTo(LIMIT);
            assertThat(api.download(file.get("url").asString()).body()).isEqualTo(exact);
            for (HttpResponse<String> response : List.of(declared, chunked)) {
                assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
                assertThat(header(response, "Content-Type")).isEqualTo("application/problem+json");
                assertThat(Guests.JSON.readTree(response.body()).get("status").asInt()).isEqualTo(413);
            }
            assertThat(storedFiles(pair.channelId)).containsExactly(file.get("id").asString());
            assertThat(rejected(meters, "too_large")).isEqualTo(tooLargeBefore + 2);
            assertThat(meters.get("chat.uploads").counter().count()).isPositive();
            assertThat(meters.get("chat.upload.bytes").summary().max()).isGreaterThanOrEqualTo(LIMIT);
        }
    }

    @Test
    void answers413LongBeforeA50MegabyteBodyIsSentWithOrWithoutContentLength() throws Exception {
        FileApi api = new FileApi(server());
        long fifty = 50L * 1024 * 1024;
        try (MatchedPair pair = MatchedPair.match(server(), server())) {
            for (boolean declareLength : List.of(false, true)) {
                FileApi.RawAnswer answer = api.uploadRaw(pair.channelId, pair.adaToken, fifty, declareLength);

                assertThat(answer.response().status()).as(answer.response().body()).isEqualTo(413);
                assertThat(answer.response().header("content-type")).isEqualTo("application/problem+json");
                // The server read about the limit, then answered: the client was nowhere near the end.
                assertThat(answer.sentWhenAnswered()).as("bytes sent before the answer, declared length: " + declareLength)
                        .isLessThan(answer.bodyBytes() / 4);
            }
            assertThat(storedFiles(pair.channelId)).isEmpty();
            // The server is unharmed: the next upload on a new connection goes through.
            assertThat(api.upload(pair.channelId, pair.adaToken, "after.png", "image/png", png(50)).statusCode())
                    .isEqualTo(201);
        }
    }

    @Test
    void refusesUploadsWithoutTheChannelsTokenOrAFileAndPostsOnlyTheChannelsOwnFiles() {
        FileApi api = new FileApi(server());
        try (MatchedPair pair = MatchedPair.match(server(), server());
                MatchedPair other = MatchedPair.match(server(), server())) {
            HttpResponse<String> anonymous = api.upload(pair.channelId, null, "a.png", "image/png", png(10));
            HttpResponse<String> forged = api.upload(pair.channelId, "not-a-token", "a.png", "image/png", png(10));
            HttpResponse<String> foreign = api.upload(pair.channelId, other.adaToken, "a.png", "image/png", png(10));
            HttpResponse<String> noFile = api.uploadBody(pair.channelId, pair.adaToken, FileApi.multipartType(),
                    FileApi.fieldOnly("note", "hello"));
            HttpResponse<String> notMultipart = api.uploadBody(pair.channelId, pair.adaToken, "application/json",
                    "{\"file\":\"x\"}".getBytes(StandardCharsets.UTF_8));

            assertThat(anonymous.statusCode()).isEqualTo(401);
            assertThat(forged.statusCode()).isEqualTo(401);
            assertThat(foreign.statusCode()).isEqualTo(403);
            assertThat(noFile.statusCode()).isEqualTo(400);
            assertThat(notMultipart.statusCode()).isEqualTo(400);
            for (HttpResponse<String> response : List.of(anonymous, forged, foreign, noFile, notMultipart)) {
                assertThat(header(response, "Content-Type")).isEqualTo("application/problem+json");
                // The body may be unread: the connection is not reused.
                assertThat(header(response, "Connection")).isEqualTo("close");
            }
            assertThat(storedFiles(pair.channelId)).isEmpty();

            JsonNode theirs = uploaded(api.upload(other.channelId, other.bobToken, "theirs.png", "image/png", png(10)));
            pair.ada.send(Map.of("type", "file", "cmid", "steal", "fileId", theirs.get("id").asString()));
            JsonNode error = pair.ada.await("error");
            assertThat(error.get("code").asString()).isEqualTo("unknown_file");
            assertThat(error.get("ref").asString()).isEqualTo("steal");
        }
    }

    @Test
    void keepsAnEndedChannelsFilesAsEvidenceOutOfItsGuestsReachAndSweepsThemWithTheChannel() {
        FileApi api = new FileApi(server());
        try (MatchedPair pair = MatchedPair.match(server(), server())) {
            JsonNode one = uploaded(api.upload(pair.channelId, pair.adaToken, "one.png", "image/png", png(500)));
            JsonNode two = uploaded(api.upload(pair.channelId, pair.bobToken, "two.txt", "text/plain",
                    "hello".getBytes(StandardCharsets.UTF_8)));
            assertThat(storedFiles(pair.channelId)).hasSize(2);

            pair.ada.send(Map.of("type", "leave"));
            pair.bob.await("ended");

            assertThat(api.download(one.get("url").asString()).statusCode()).isEqualTo(404);
            assertThat(api.download(two.get("url").asString()).statusCode()).isEqualTo(404);
            HttpResponse<String> late = api.upload(pair.channelId, pair.adaToken, "late.png", "image/png", png(10));
            assertThat(late.statusCode()).isEqualTo(410);
            assertThat(header(late, "Content-Type")).isEqualTo("application/problem+json");
            assertThat(storedFiles(pair.channelId)).as("kept for a report within the window").hasSize(2);

            // The ended channel's keys expire (here: go at once); the next sweep deletes its files.
            Redis redis = server().bean(Redis.class);
            redis.commands().del(redis.key("ch", "{" + pair.channelId + "}", "meta")).block(GONE_WITHIN);
            server().bean(ChannelFiles.class).sweep().block(GONE_WITHIN);
            assertThat(storedFiles(pair.channelId)).isEmpty();
        }
    }

    static JsonNode uploaded(HttpResponse<String> response) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return Guests.JSON.readTree(response.body());
    }

    static java.util.function.Predicate<JsonNode> message(String cmid) {
        return frame -> "message".equals(frame.path("type").asString()) && cmid.equals(frame.path("cmid").asString());
    }

    static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    /** Bytes a PNG starts with, then noise: enough for sniffing. */
    static byte[] png(int size) {
        byte[] bytes = random(size);
        byte[] magic = { (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n' };
        System.arraycopy(magic, 0, bytes, 0, magic.length);
        return bytes;
    }

    static byte[] random(int size) {
        byte[] bytes = new byte[size];
        synchronized (RANDOM) {
            RANDOM.nextBytes(bytes);
        }
        // Never start like an image by chance.
        if (bytes.length > 0) {
            bytes[0] = 0;
        }
        return bytes;
    }

    private static double rejected(MeterRegistry meters, String reason) {
        var counter = meters.find("chat.upload.rejected").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }
}
