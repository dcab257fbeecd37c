package dev.randomchat.system;

import java.io.FileInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.Guests;
import dev.randomchat.support.WsClient;

import static org.assertj.core.api.Assertions.assertThat;

/** HTTPS and wss without a proxy, with a certificate made for the test by the JDK's keytool. */
class TlsIntegrationTests {

    @TempDir
    static Path dir;
    private static ChatServer server;
    private static HttpClient client;

    @BeforeAll
    static void start() throws Exception {
        Path keystore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=localhost", "-ext", "san=dns:localhost,ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", keystore.toString(), "-storepass", "changeit")
                .redirectErrorStream(true).start();
        assertThat(keytool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(keytool.exitValue()).as(new String(keytool.getInputStream().readAllBytes())).isZero();
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(keystore.toFile())) {
            store.load(in, "changeit".toCharArray());
        }
        Certificate certificate = store.getCertificate("server");
        PrivateKey key = (PrivateKey) store.getKey("server", "changeit".toCharArray());
        Path certFile = Files.writeString(dir.resolve("cert.pem"), pem("CERTIFICATE", certificate.getEncoded()));
        Path keyFile = Files.writeString(dir.resolve("key.pem"), pem("PRIVATE KEY", key.getEncoded()));
        // Pings every second: a server ping is written below the frame encoder, and must still go through TLS.
        server = ChatServer.start(Map.of("TLS_CERT_FILE", certFile.toString(), "TLS_KEY_FILE", keyFile.toString(),
                "WS_PING_SECONDS", "1"));

        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(store);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, trust.getTrustManagers(), null);
        client = HttpClient.newBuilder().sslContext(ssl).connectTimeout(WsClient.WAIT).build();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void servesHttpsWithSecureCookiesAndChatsOverWss() throws Exception {
        HttpResponse<String> created = client.send(HttpRequest.newBuilder(https("/api/guests"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Ada\"}")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("Set-Cookie").orElseThrow()).contains("Secure");
        String ada = Guests.JSON.readTree(created.body()).get("token").asString();
        String bob = Guests.JSON.readTree(client.send(HttpRequest.newBuilder(https("/api/guests"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Bob\"}")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).get("token").asString();

        URI wss = URI.create("wss://localhost:" + server.port() + "/ws");
        try (WsClient adaSocket = WsClient.connect(client, wss, Map.of("Authorization", "Bearer " + ada));
                WsClient bobSocket = WsClient.connect(client, wss, Map.of("Authorization", "Bearer " + bob))) {
            adaSocket.await("hello");
            bobSocket.await("hello");
            adaSocket.send("{\"type\":\"match\"}");
            adaSocket.await("waiting");
            bobSocket.send("{\"type\":\"match\"}");
            adaSocket.await("matched");
            bobSocket.await("matched");
            // Pings arrive whole through TLS, and the chat goes on after them.
            Awaitility.await().atMost(WsClient.WAIT).pollInterval(Duration.ofMillis(100)).until(() -> adaSocket.pings() >= 2);
            adaSocket.send("{\"type\":\"send\",\"cmid\":\"tls1\",\"text\":\"over TLS\"}");
            assertThat(bobSocket.await("message").get("text").asString()).isEqualTo("over TLS");
            adaSocket.send("{\"type\":\"leave\"}");
            bobSocket.await("ended");
        }
    }

    @Test
    void answersOverHttpsWithStrictTransportSecurity() throws Exception {
        HttpResponse<String> page = client.send(HttpRequest.newBuilder(https("/")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Strict-Transport-Security")).hasValueSatisfying(
                value -> assertThat(value).startsWith("max-age=").doesNotContain("max-age=0"));
    }

    private static URI https(String path) {
        return URI.create("https://localhost:" + server.port() + path);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
