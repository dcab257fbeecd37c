package dev.randomchat.upload;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.MatchedPair;
import dev.randomchat.support.ScratchDirs;
import dev.randomchat.support.ServerProcess;

import static dev.randomchat.upload.UploadScenarios.header;
import static dev.randomchat.upload.UploadScenarios.png;
import static dev.randomchat.upload.UploadScenarios.uploaded;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The limits on uploads (docs/protocol.md 4 and 7), against a real server with the local store and small
 * limits: a one-second idle timeout, two uploads in flight per guest, three files or 100,000 bytes
 * per channel, 64 KiB per file.
 */
class UploadLimitsIntegrationTests {

    private static final int MAX_FILE = 64 * 1024;
    private static final int CHANNEL_FILES = 3;
    private static final int CHANNEL_BYTES = 100_000;
    /** Long enough for a busy machine to notice a closed connection or a lapsed timer. */
    private static final Duration WITHIN = Duration.ofSeconds(30);
    private static final Duration POLL = Duration.ofMillis(50);

    private static String cluster;
    private static Path spool;
    private static ChatServer server;

    @BeforeAll
    static void startServer() {
        cluster = ChatServer.newCluster();
        spool = UploadScenarios.newSpoolDir();
        server = ChatServer.start(cluster, env(spool));
    }

    @AfterAll
    static void stopServer() {
        server.close();
        ScratchDirs.deleteTree(spool);
    }

    private static Map<String, String> env(Path spoolDir) {
        Map<String, String> env = new HashMap<>(Map.of("MAX_UPLOAD_BYTES", Integer.toString(MAX_FILE),
                "UPLOAD_IDLE_SECONDS", "1", "UPLOADS_IN_FLIGHT", "2",
                "MAX_CHANNEL_FILES", Integer.toString(CHANNEL_FILES),
                "MAX_CHANNEL_UPLOAD_BYTES", Integer.toString(CHANNEL_BYTES)));
        env.put("UPLOAD_SPOOL_DIR", spoolDir.toString());
        return env;
    }

    @Test
    void abandonsABodyThatSendsNothingForTheIdleTimeWith408AndClosesTheConnection() throws IOException {
        FileApi api = new FileApi(server);
        try (MatchedPair pair = MatchedPair.match(server, server);
                RawUpload stalled = RawUpload.start(server.port(), pair.channelId, pair.adaToken, 10_000, 100)) {
            long start = System.nanoTime();
            RawUpload.Answer answer = stalled.answer(WITHIN);
            Duration took = Duration.ofNanos(System.nanoTime() - start);

            assertThat(answer.status()).as(answer.body()).isEqualTo(408);
            assertThat(answer.header("content-type")).isEqualTo("application/problem+json");
            assertThat(Guests.JSON.readTree(answer.body()).get("status").asInt()).isEqualTo(408);
            assertThat(answer.closedAfter()).as("connection closed after the answer").isTrue();
            assertThat(took).isGreaterThan(Duration.ofMillis(900)).isLessThan(Duration.ofSeconds(6));
            Awaitility.await().atMost(WITHIN).pollInterval(POLL).until(() -> RawUpload.spooling(spool) == 0);
            // Its slot was given back and nothing was stored.
            uploaded(api.upload(pair.channelId, pair.adaToken, "after.png", "image/png", png(100)));
            assertThat(server.bean(MeterRegistry.class).find("chat.upload.rejected").tag("reason", "idle").counter())
                    .isNotNull();
        }
    }

    @Test
    void refusesAGuestsThirdUploadAtOnceWith429AndTakesItOnceOneEnded() throws IOException {
        FileApi api = new FileApi(server);
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try (MatchedPair pair = MatchedPair.match(server, server);
                RawUpload first = RawUpload.start(server.port(), pair.channelId, pair.adaToken, 10_000, 100);
                RawUpload second = RawUpload.start(server.port(), pair.channelId, pair.adaToken, 10_000, 100)) {
            // A few bytes well within the idle time keep both under way.
            trickle.scheduleWithFixedDelay(() -> {
                try {
                    first.send(8);
                    second.send(8);
                }
                catch (IOException ex) {
                    // closed by the test
                }
            }, 0, 200, TimeUnit.MILLISECONDS);
            Awaitility.await().atMost(WITHIN).pollInterval(POLL).until(() -> RawUpload.spooling(spool) == 2);

            HttpResponse<String> third = api.upload(pair.channelId, pair.adaToken, "third.png", "image/png", png(100));
            HttpResponse<String> peers = api.upload(pair.channelId, pair.bobToken, "peers.png", "image/png", png(100));

            assertThat(third.statusCode()).as(third.body()).isEqualTo(429);
            assertThat(header(third, "Content-Type")).isEqualTo("application/problem+json");
            assertThat(Guests.JSON.readTree(third.body()).get("status").asInt()).isEqualTo(429);
            assertThat(peers.statusCode()).as("the limit is per guest").isEqualTo(201);

            trickle.shutdownNow();
            first.abort();
            Awaitility.await().atMost(WITHIN).pollInterval(POLL).until(() -> RawUpload.spooling(spool) == 1);
            uploaded(api.upload(pair.channelId, pair.adaToken, "now.png", "image/png", png(100)));
        }
        finally {
            trickle.shutdownNow();
        }
    }

    @Test
    void refusesAFileBeyondTheChannelsFileCountWith413() {
        FileApi api = new FileApi(server);
        try (MatchedPair pair = MatchedPair.match(server, server)) {
            for (int i = 0; i < CHANNEL_FILES; i++) {
                uploaded(api.upload(pair.channelId, i % 2 == 0 ? pair.adaToken : pair.bobToken, "f.png", "image/png",
                        png(1000)));
            }

            for (String token : List.of(pair.adaToken, pair.bobToken)) {
                HttpResponse<String> refused = api.upload(pair.channelId, token, "more.png", "image/png", png(10));
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(413);
                assertThat(header(refused, "Content-Type")).isEqualTo("application/problem+json");
                assertThat(Guests.JSON.readTree(refused.body()).get("detail").asString()).contains("3 files");
            }
        }
    }

    @Test
    void concurrentUploadsNeverTogetherPassTheChannelsFileCount() {
        FileApi api = new FileApi(server);
        try (MatchedPair pair = MatchedPair.match(server, server)) {
            List<CompletableFuture<HttpResponse<String>>> racing = Stream.of(pair.adaToken, pair.adaToken, pair.bobToken,
                            pair.bobToken)
                    .map(token -> CompletableFuture.supplyAsync(() -> api.upload(pair.channelId, token, "r.bin",
                            "application/zip", UploadScenarios.random(20_000))))
                    .toList();

            List<Integer> statuses = racing.stream()
                    .map(future -> future.orTimeout(FileApi.TIMEOUT.toSeconds(), TimeUnit.SECONDS).join().statusCode())
                    .toList();

            assertThat(statuses).containsExactlyInAnyOrder(201, 201, 201, 413);
        }
    }

    @Test
    void refusesAFileBeyondTheChannelsBytesWith413AndCountsOnlyFilesThatWereStored() {
        FileApi api = new FileApi(server);
        try (MatchedPair pair = MatchedPair.match(server, server)) {
            uploaded(api.upload(pair.channelId, pair.adaToken, "a.bin", "application/zip", UploadScenarios.random(60_000)));

            HttpResponse<String> overQuota = api.upload(pair.channelId, pair.bobToken, "b.bin", "application/zip",
                    UploadScenarios.random(50_000));
            HttpResponse<String> overFile = api.upload(pair.channelId, pair.bobToken, "c.bin", "application/zip",
                    UploadScenarios.random(MAX_FILE + 1));
            // The two refusals used nothing: exactly the rest still fits.
            uploaded(api.upload(pair.channelId, pair.bobToken, "d.bin", "application/zip",
                    UploadScenarios.random(CHANNEL_BYTES - 60_000)));
            HttpResponse<String> full = api.upload(pair.channelId, pair.adaToken, "e.bin", "application/zip",
                    UploadScenarios.random(1));

            for (HttpResponse<String> refused : List.of(overQuota, overFile, full)) {
                assertThat(refused.statusCode()).as(refused.body()).isEqualTo(413);
                assertThat(header(refused, "Content-Type")).isEqualTo("application/problem+json");
            }
            assertThat(Guests.JSON.readTree(overQuota.body()).get("detail").asString()).contains("100000 bytes");
        }
    }

    @Test
    void anAbortedUploadIsNoServerErrorAndUsesUpNoQuota() throws IOException {
        FileApi api = new FileApi(server);
        MeterRegistry meters = server.bean(MeterRegistry.class);
        double abortedBefore = rejected(meters, "aborted");
        try (MatchedPair pair = MatchedPair.match(server, server)) {
            RawUpload upload = RawUpload.start(server.port(), pair.channelId, pair.adaToken, 50_000, 20_000);
            Awaitility.await().atMost(WITHIN).pollInterval(POLL).until(() -> RawUpload.spooling(spool) == 1);
            upload.abort();

            Awaitility.await().atMost(WITHIN).pollInterval(POLL).until(() -> rejected(meters, "aborted") > abortedBefore);
            Awaitility.await().atMost(WITHIN).pollInterval(POLL).until(() -> RawUpload.spooling(spool) == 0);
            for (int i = 0; i < CHANNEL_FILES; i++) {
                uploaded(api.upload(pair.channelId, pair.adaToken, "f.png", "image/png", png(1000)));
            }
            assertThat(meters.find("http.server.requests").meters()).isNotEmpty();
            assertThat(serverErrors(meters)).isEmpty();
        }
    }

    @Test
    void anAbortedUploadLeavesNoStackTraceInTheServerLog() throws IOException {
        Path ownSpool = UploadScenarios.newSpoolDir();
        Map<String, String> env = env(ownSpool);
        env.put("LOGGING_LEVEL_DEV_RANDOMCHAT_UPLOAD", "DEBUG");
        try (ServerProcess process = ServerProcess.start(cluster, env);
                MatchedPair pair = MatchedPair.match(server, server)) {
            RawUpload upload = RawUpload.start(process.port(), pair.channelId, pair.adaToken, 50_000, 20_000);
            Awaitility.await().atMost(WITHIN).pollInterval(POLL).until(() -> RawUpload.spooling(ownSpool) == 1);
            upload.abort();

            Awaitility.await().atMost(WITHIN).pollInterval(POLL)
                    .until(() -> process.output().contains("aborted by the client"));
            Awaitility.await().atMost(WITHIN).pollInterval(POLL).until(() -> RawUpload.spooling(ownSpool) == 0);
            String log = process.output();
            String sinceStart = log.substring(log.indexOf("Started RandomChatApplication"));
            // One debug line says what happened; nothing else about it, at any level.
            assertThat(sinceStart.lines().filter(line -> line.toLowerCase(Locale.ROOT).contains("upload")))
                    .singleElement().asString().contains(" DEBUG ").contains("aborted by the client");
            assertThat(log).doesNotContain("\tat ").doesNotContain(" ERROR ").doesNotContain(" WARN ");
        }
        finally {
            ScratchDirs.deleteTree(ownSpool);
        }
    }

    private static double rejected(MeterRegistry meters, String reason) {
        Counter counter = meters.find("chat.upload.rejected").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    private static List<String> serverErrors(MeterRegistry meters) {
        return meters.find("http.server.requests").meters().stream()
                .map(Meter::getId)
                .filter(id -> id.getTag("status") != null && id.getTag("status").startsWith("5"))
                .map(Meter.Id::toString)
                .toList();
    }
}
