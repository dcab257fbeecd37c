package dev.randomchat.upload;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.MatchedPair;
import dev.randomchat.support.ScratchDirs;
import dev.randomchat.support.TestS3;
import dev.randomchat.support.WsClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The upload API on an S3 store: MinIO in a container when Docker answers, else in-process s3proxy
 * ({@link TestS3} prints which). Files are looked for in the bucket with a client of the test's own.
 */
class ObjectStoreUploadIntegrationTests extends UploadScenarios {

    private static TestS3 s3;
    private static String bucket;
    private static Path spool;
    private static ChatServer server;

    @BeforeAll
    static void startServer() {
        s3 = TestS3.shared();
        bucket = TestS3.newBucket();
        spool = newSpoolDir();
        server = ChatServer.start(env(s3, bucket, spool));
    }

    @AfterAll
    static void stopServer() {
        server.close();
        ScratchDirs.deleteTree(spool);
    }

    @Override
    Path spoolDir() {
        return spool;
    }

    @Override
    ChatServer server() {
        return server;
    }

    @Override
    List<String> storedFiles(String channelId) {
        return s3.objects(bucket, channelId + "/").stream()
                .map(name -> name.substring(name.indexOf('/') + 1))
                .toList();
    }

    @Test
    void answers503WhileTheStoreIsDownAndTheChatGoesOn() {
        TestS3 own = TestS3.start();
        try (ChatServer alone = ChatServer.start(env(own, TestS3.newBucket(), spool));
                MatchedPair pair = MatchedPair.match(alone, alone)) {
            FileApi api = new FileApi(alone);
            uploaded(api.upload(pair.channelId, pair.adaToken, "before.png", "image/png", png(100)));

            own.stop();
            HttpResponse<String> refused = api.upload(pair.channelId, pair.adaToken, "during.png", "image/png", png(100));

            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(header(refused, "Content-Type")).isEqualTo("application/problem+json");
            assertThat(Guests.JSON.readTree(refused.body()).get("status").asInt()).isEqualTo(503);
            pair.ada.send(Map.of("type", "send", "cmid", "t1", "text", "still here?"));
            JsonNode atBob = pair.bob.socket().await(message("t1"), WsClient.WAIT);
            assertThat(atBob.get("text").asString()).isEqualTo("still here?");
            assertThat(pair.ada.await("ack").get("cmid").asString()).isEqualTo("t1");
        }
    }

    private static Map<String, String> env(TestS3 store, String bucket, Path spoolDir) {
        Map<String, String> env = new HashMap<>(env(spoolDir));
        env.putAll(store.env(bucket));
        return env;
    }
}
