package dev.randomchat.deployments;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.imageio.ImageIO;

import com.jayway.jsonpath.JsonPath;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The Compose stack as operators run it, for real: deployments/docker-compose.yaml with every
 * image replaced by a local one built from Debian packages (the project's own image built from
 * deployments/Dockerfile on a Debian Java runtime; s3proxy standing in for MinIO, see
 * docker-test/compose-smoke.yaml), reached only through nginx on 127.0.0.1. Skips, saying why,
 * where no Docker engine answers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ComposeSmokeIntegrationTests {

    private static final String PROJECT = "randomchat-smoke";

    private static final Duration STACK_UP = Duration.ofMinutes(8);

    private static final Duration FRAME = Duration.ofSeconds(20);

    /** The chat servers' JVM flags in the test: the check that JAVA_OPTS reaches java. */
    private static final String JAVA_OPTS = "-Xmx320m -Dsmoke.java-opts=honoured";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private final Map<String, String> timings = new LinkedHashMap<>();

    private LocalDocker docker;

    private List<String> compose;

    private Path envFile;

    private int httpPort;

    private int managementPortBase;

    private String appImage;

    private boolean stackStarted;

    @BeforeAll
    void buildImagesAndStartTheStack() throws Exception {
        LocalDocker.Availability availability = LocalDocker.find();
        if (availability.engine().isEmpty()) {
            System.out.println("[compose smoke] skipped: " + availability.reason());
        }
        assumeTrue(availability.engine().isPresent(), "Compose smoke test skipped: " + availability.reason());
        docker = availability.engine().get();
        compose = LocalDocker.composeCommand().orElseThrow();
        System.out.println("[compose smoke] " + availability.reason());

        long started = System.nanoTime();
        Map<String, String> images = docker.buildLocalImages(RepositoryFiles.path("deployments/target/s3proxy-lib"));
        timings.put("local images (debootstrap, Debian packages; cached when unchanged)", since(started));
        started = System.nanoTime();
        docker.buildAppImage(images.get("JDK_IMAGE"), images.get("JRE_IMAGE"));
        timings.put("project image from deployments/Dockerfile", since(started));
        appImage = LocalDocker.APP_IMAGE;
        for (String image : List.of(appImage, images.get("JRE_IMAGE"), images.get("REDIS_IMAGE"),
                images.get("NGINX_IMAGE"), images.get("S3_IMAGE"))) {
            System.out.printf("[compose smoke] image %s: %d MB%n", image, docker.imageSize(image) / 1_000_000);
        }

        httpPort = freePort();
        managementPortBase = freePortRange(9);
        envFile = Files.createTempFile("compose-smoke", ".env");
        Files.writeString(envFile, envFileText(images), StandardCharsets.UTF_8);
        compose(Duration.ofMinutes(2), "down", "-v", "--remove-orphans");
        started = System.nanoTime();
        stackStarted = true;
        ExternalCommand.Result up = compose(STACK_UP, "up", "-d", "--no-build", "--scale", "coturn=0");
        timings.put("docker-compose up (until every health check passed)", since(started));
        assertThat(up.exitCode()).as("docker-compose up: %s\n%s", up.stderr(), logs()).isZero();
    }

    @AfterAll
    void stopTheStack() throws Exception {
        if (stackStarted) {
            ExternalCommand.Result down = compose(Duration.ofMinutes(3), "down", "-v", "--remove-orphans");
            System.out.println("[compose smoke] docker-compose down -v: exit " + down.exitCode());
        }
        if (envFile != null) {
            Files.deleteIfExists(envFile);
        }
        timings.forEach((what, time) -> System.out.println("[compose smoke] time, " + what + ": " + time));
    }

    @Test
    @Order(1)
    void chatServersRunAsNonRootWithAHealthCheckAndTheOperatorsJavaOpts() throws Exception {
        List<String> servers = containers("chat");
        assertThat(servers).as("deploy.replicas").hasSize(2);
        assertThat(docker.ok(Duration.ofSeconds(30), "image", "inspect", "--format", "{{json .Config.Healthcheck.Test}}",
                appImage)).contains("/actuator/health/liveness");
        for (String server : servers) {
            int pid = Integer.parseInt(docker.ok(Duration.ofSeconds(30), "inspect", "--format", "{{.State.Pid}}", server));
            // The user of the process itself, as the kernel sees it from the host.
            String uid = Files.readAllLines(Path.of("/proc", Integer.toString(pid), "status")).stream()
                    .filter((line) -> line.startsWith("Uid:"))
                    .findFirst()
                    .orElseThrow();
            assertThat(uid.split("\\s+")[1]).as("real uid of %s's java", server).isNotEqualTo("0");
            assertThat(uid.split("\\s+")[2]).as("effective uid of %s's java", server).isNotEqualTo("0");
            String commandLine = Files.readString(Path.of("/proc", Integer.toString(pid), "cmdline")).replace('\0', ' ');
            assertThat(commandLine).as("PID 1 of %s is java itself", server).startsWith("java ").contains(JAVA_OPTS);
            assertThat(docker.ok(Duration.ofSeconds(30), "inspect", "--format", "{{.State.Health.Status}}", server))
                    .isEqualTo("healthy");
        }
    }

    @Test
    @Order(2)
    void throughNginxThePageLoadsHealthIsUpAndOperatorSurfacesAreNotServed() throws Exception {
        HttpResponse<String> page = get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
        assertThat(page.body()).containsIgnoringCase("<html");

        HttpResponse<String> health = get("/actuator/health");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat((String) JsonPath.read(health.body(), "$.status")).isEqualTo("UP");
        assertThat(get("/actuator/health/readiness").statusCode()).isEqualTo(200);

        for (String operatorOnly : List.of("/actuator/prometheus", "/actuator/info", "/api/admin/reports", "/admin/")) {
            assertThat(get(operatorOnly).statusCode()).as(operatorOnly).isEqualTo(404);
        }
        // The management port, published on 127.0.0.1 only. Servers built before MANAGEMENT_PORT
        // existed do not listen there: said, not failed.
        List<String> published = new ArrayList<>();
        for (String server : containers("chat")) {
            String mapping = docker.ok(Duration.ofSeconds(30), "port", server, "9090/tcp");
            assertThat(mapping).as("management port of %s", server).startsWith("127.0.0.1:");
            published.add(mapping);
        }
        try {
            HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(URI.create("http://" + published.get(0)
                    + "/actuator/prometheus")).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).contains("jvm_memory_used_bytes");
            System.out.println("[compose smoke] management port " + published.get(0) + " serves /actuator/prometheus");
        }
        catch (IOException ex) {
            System.out.println("[compose smoke] the management port " + published.get(0)
                    + " does not answer: this server build has no MANAGEMENT_PORT yet (" + ex + ")");
        }
    }

    @Test
    @Order(3)
    void twoGuestsChatAcrossBothServersShareAnImageAndLoseNothingWhenOneServerRestarts() throws Exception {
        String ada = createGuest("Ada");
        String bob = createGuest("Bob");
        // nginx balances round robin: two sockets opened one after the other land on different
        // servers, which the restart below proves (exactly one of them is closed).
        ChatSocket adaSocket = ChatSocket.open(wsUri(), ada, FRAME);
        ChatSocket bobSocket = ChatSocket.open(wsUri(), bob, FRAME);
        try {
            adaSocket.send("{\"type\":\"match\"}");
            adaSocket.await("waiting", FRAME);
            bobSocket.send("{\"type\":\"match\"}");
            String adaMatched = adaSocket.await("matched", FRAME);
            String bobMatched = bobSocket.await("matched", FRAME);
            String channelId = JsonPath.read(adaMatched, "$.channelId");
            assertThat((String) JsonPath.read(bobMatched, "$.channelId")).isEqualTo(channelId);
            String adaChannelToken = JsonPath.read(adaMatched, "$.token");
            String bobChannelToken = JsonPath.read(bobMatched, "$.token");

            sendText(adaSocket, "a1", "hello from Ada");
            assertThat(text(awaitMessage(bobSocket, "a1"))).isEqualTo("hello from Ada");
            sendText(bobSocket, "b1", "hello from Bob");
            assertThat(text(awaitMessage(adaSocket, "b1"))).isEqualTo("hello from Bob");

            byte[] png = png();
            HttpResponse<String> upload = upload(channelId, bobChannelToken, png);
            assertThat(upload.statusCode()).as("upload: %s", upload.body()).isEqualTo(201);
            bobSocket.send("{\"type\":\"file\",\"cmid\":\"b-file\",\"fileId\":\"" + JsonPath.read(upload.body(), "$.id") + "\"}");
            String fileMessage = awaitMessage(adaSocket, "b-file");
            String url = JsonPath.read(fileMessage, "$.file.url");
            HttpResponse<byte[]> download = http.send(HttpRequest.newBuilder(base().resolve(url))
                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.headers().firstValue("Content-Type").orElse("")).isEqualTo("image/png");
            assertThat(download.body()).isEqualTo(png);
            int lastSeq = JsonPath.read(fileMessage, "$.seq");

            // A rolling update: one server is restarted (SIGTERM, drain, 1012, start again).
            String restarted = containers("chat").get(0);
            CompletableFuture<ExternalCommand.Result> restart = CompletableFuture.supplyAsync(() -> {
                try {
                    return docker.run(Duration.ofMinutes(3), "restart", "--time", "40", restarted);
                }
                catch (Exception ex) {
                    throw new IllegalStateException(ex);
                }
            });
            ChatSocket.Event adaClose = null;
            ChatSocket.Event bobClose = null;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (adaClose == null && bobClose == null && System.nanoTime() < deadline) {
                adaClose = adaSocket.awaitCloseOrNull(Duration.ofMillis(200));
                bobClose = bobSocket.awaitCloseOrNull(Duration.ofMillis(200));
            }
            // Both servers close their sockets at the same moment only if both restarted.
            if (adaClose == null) {
                adaClose = adaSocket.awaitCloseOrNull(Duration.ofSeconds(2));
            }
            if (bobClose == null) {
                bobClose = bobSocket.awaitCloseOrNull(Duration.ofSeconds(2));
            }
            assertThat(adaClose == null ^ bobClose == null)
                    .as("exactly one socket was on the restarted server (Ada closed: %s, Bob closed: %s)", adaClose, bobClose)
                    .isTrue();
            ChatSocket.Event closed = adaClose != null ? adaClose : bobClose;
            assertThat(closed.closeCode()).as("service restart").isEqualTo(1012);
            boolean adaMoved = adaClose != null;
            ChatSocket stayed = adaMoved ? bobSocket : adaSocket;
            String movedGuest = adaMoved ? ada : bob;
            String movedChannelToken = adaMoved ? adaChannelToken : bobChannelToken;

            // The peer on the other server keeps writing while the moved one is away.
            List<String> whileAway = List.of("while you were away 1", "while you were away 2", "while you were away 3");
            for (int i = 0; i < whileAway.size(); i++) {
                sendText(stayed, "away-" + i, whileAway.get(i));
            }
            ChatSocket moved = reconnect(movedGuest, Duration.ofSeconds(90));
            try {
                moved.send("{\"type\":\"join\",\"token\":\"" + movedChannelToken + "\",\"after\":" + lastSeq + "}");
                List<String> replayed = new ArrayList<>();
                List<Integer> seqs = new ArrayList<>();
                String joined = null;
                while (joined == null) {
                    String frame = moved.await((event) -> !event.isClose()
                            && List.of("message", "joined").contains(event.type()), FRAME, "replay or joined").frame();
                    if (JsonPath.read(frame, "$.type").equals("joined")) {
                        joined = frame;
                    }
                    else {
                        replayed.add(text(frame));
                        seqs.add(JsonPath.read(frame, "$.seq"));
                    }
                }
                assertThat(replayed).as("every message sent while away, once, in order").isEqualTo(whileAway);
                assertThat(seqs).containsExactly(lastSeq + 1, lastSeq + 2, lastSeq + 3);
                assertThat((int) JsonPath.read(joined, "$.lastSeq")).isEqualTo(lastSeq + 3);

                sendText(moved, "back", "back again");
                assertThat(text(awaitMessage(stayed, "back"))).isEqualTo("back again");
            }
            finally {
                moved.close();
            }

            ExternalCommand.Result restartResult = restart.get(4, TimeUnit.MINUTES);
            assertThat(restartResult.exitCode()).as("docker restart: %s", restartResult.stderr()).isZero();
            awaitHealthy(restarted, STACK_UP);
            HttpResponse<String> health = get("/actuator/health");
            assertThat((String) JsonPath.read(health.body(), "$.status")).isEqualTo("UP");
        }
        finally {
            adaSocket.close();
            bobSocket.close();
        }
    }

    private ChatSocket reconnect(String guestToken, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        Throwable last = null;
        while (System.nanoTime() < deadline) {
            try {
                return ChatSocket.open(wsUri(), guestToken, Duration.ofSeconds(10));
            }
            catch (Exception | AssertionError ex) {
                last = ex;
                Thread.sleep(500);
            }
        }
        throw new AssertionError("no socket through nginx within " + timeout, last);
    }

    private void awaitHealthy(String container, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        String status = "";
        while (System.nanoTime() < deadline) {
            status = docker.ok(Duration.ofSeconds(30), "inspect", "--format", "{{.State.Health.Status}}", container);
            if (status.equals("healthy")) {
                return;
            }
            Thread.sleep(1000);
        }
        throw new AssertionError(container + " is " + status + " after " + timeout);
    }

    private String createGuest(String name) throws Exception {
        String challenge = get("/api/guests/challenge").body();
        String nonce = solve(JsonPath.read(challenge, "$.challenge"), JsonPath.read(challenge, "$.bits"));
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(base().resolve("/api/guests"))
                .timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\",\"challenge\":\""
                        + JsonPath.read(challenge, "$.challenge") + "\",\"nonce\":\"" + nonce + "\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as("guest creation: %s", created.body()).isEqualTo(201);
        return JsonPath.read(created.body(), "$.token");
    }

    /** The proof of work of GUEST_POW_BITS (16 in Compose): SHA-256(challenge:nonce) with that many leading zero bits. */
    private static String solve(String challenge, int bits) throws Exception {
        MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
        for (long nonce = 0; nonce < 1L << (bits + 8); nonce++) {
            byte[] hash = sha256.digest((challenge + ":" + nonce).getBytes(StandardCharsets.UTF_8));
            if (leadingZeroBits(hash) >= bits) {
                return Long.toString(nonce);
            }
        }
        throw new AssertionError("no nonce found for " + bits + " bits");
    }

    private static int leadingZeroBits(byte[] hash) {
        int zeros = 0;
        for (byte b : hash) {
            if (b == 0) {
                zeros += 8;
                continue;
            }
            return zeros + Integer.numberOfLeadingZeros(b & 0xff) - 24;
        }
        return zeros;
    }

    private static void sendText(ChatSocket socket, String cmid, String text) throws Exception {
        socket.send("{\"type\":\"send\",\"cmid\":\"" + cmid + "\",\"text\":\"" + text + "\"}");
        socket.await((event) -> !event.isClose() && event.type().equals("ack")
                && cmid.equals(JsonPath.read(event.frame(), "$.cmid")), FRAME, "the ack of " + cmid);
    }

    /** The `message` frame with this cmid (every socket of both guests gets each message). */
    private static String awaitMessage(ChatSocket socket, String cmid) throws InterruptedException {
        return socket.await((event) -> !event.isClose() && event.type().equals("message")
                && cmid.equals(JsonPath.read(event.frame(), "$.cmid")), FRAME, "the message " + cmid).frame();
    }

    private static String text(String messageFrame) {
        return JsonPath.read(messageFrame, "$.text");
    }

    private HttpResponse<String> upload(String channelId, String channelToken, byte[] content) throws Exception {
        String boundary = "smoke" + HexFormat.of().formatHex(random(8));
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"dot.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(content);
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return http.send(HttpRequest.newBuilder(base().resolve("/api/channels/" + channelId + "/files"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + channelToken)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] png() throws IOException {
        BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        image.setRGB(3, 5, 0x2a7fff);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(base().resolve(path)).timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private URI base() {
        return URI.create("http://127.0.0.1:" + httpPort + "/");
    }

    private URI wsUri() {
        return URI.create("ws://127.0.0.1:" + httpPort + "/ws");
    }

    private List<String> containers(String service) throws Exception {
        ExternalCommand.Result ps = compose(Duration.ofSeconds(60), "ps", "-q", service);
        assertThat(ps.exitCode()).as("docker-compose ps: %s", ps.stderr()).isZero();
        return ps.stdout().lines().map(String::strip).filter((id) -> !id.isEmpty()).sorted().toList();
    }

    private ExternalCommand.Result compose(Duration timeout, String... arguments) throws Exception {
        List<String> command = new ArrayList<>(compose);
        command.addAll(List.of("-p", PROJECT, "--env-file", envFile.toString(),
                "-f", RepositoryFiles.path(ComposeFileTests.COMPOSE_FILE).toString(),
                "-f", RepositoryFiles.path("deployments/docker-test/compose-smoke.yaml").toString()));
        command.addAll(List.of(arguments));
        return ExternalCommand.run(command, RepositoryFiles.path("deployments"), Map.of(), List.of(), timeout);
    }

    private String logs() {
        try {
            String log = compose(Duration.ofSeconds(60), "logs", "--no-color", "--tail", "30").stdout();
            return log.substring(Math.max(0, log.length() - 12000));
        }
        catch (Exception ex) {
            return "(no logs: " + ex + ")";
        }
    }

    /** Fresh secrets (never placeholders), the local images, and ports on 127.0.0.1 only. */
    private String envFileText(Map<String, String> images) {
        return String.join("\n",
                "JWT_SECRET=" + secret(),
                "REDIS_PASSWORD=" + secret(),
                "MINIO_ROOT_USER=smokeroot",
                "MINIO_ROOT_PASSWORD=" + HexFormat.of().formatHex(random(24)),
                "MINIO_APP_USER=smokeapp",
                "MINIO_APP_PASSWORD=" + HexFormat.of().formatHex(random(24)),
                "ADMIN_TOKEN=" + HexFormat.of().formatHex(random(24)),
                "HTTP_PUBLISH_ADDRESS=127.0.0.1",
                "HTTP_PUBLISH_PORT=" + httpPort,
                "MANAGEMENT_PUBLISH_PORTS=" + managementPortBase + "-" + (managementPortBase + 8),
                "JAVA_OPTS=" + JAVA_OPTS,
                "CHAT_IMAGE=" + appImage,
                "NGINX_IMAGE=" + images.get("NGINX_IMAGE"),
                "REDIS_IMAGE=" + images.get("REDIS_IMAGE"),
                "MINIO_IMAGE=" + images.get("S3_IMAGE"),
                "MINIO_MC_IMAGE=" + images.get("BASE_IMAGE"),
                // coturn is not started here (scaled to 0): CallBrowserTests relays calls through
                // Debian's coturn, and CoturnDeploymentTests runs turnserver.conf through it.
                "TURN_SECRET=" + secret(),
                "TURN_EXTERNAL_IP=127.0.0.1",
                "COTURN_IMAGE=" + images.get("BASE_IMAGE"),
                "") ;
    }

    private static String secret() {
        return Base64.getEncoder().encodeToString(random(48));
    }

    private static byte[] random(int bytes) {
        byte[] value = new byte[bytes];
        new SecureRandom().nextBytes(value);
        return value;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** The first of `count` consecutive free ports on 127.0.0.1 (bounded search). */
    private static int freePortRange(int count) {
        SecureRandom random = new SecureRandom();
        for (int attempt = 0; attempt < 50; attempt++) {
            int base = 30000 + random.nextInt(20000);
            boolean free = true;
            for (int port = base; port < base + count && free; port++) {
                try (ServerSocket socket = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
                    free = socket.getLocalPort() == port;
                }
                catch (IOException ex) {
                    free = false;
                }
            }
            if (free) {
                return base;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports found");
    }

    private static String since(long startNanos) {
        return String.format("%.1f s", (System.nanoTime() - startNanos) / 1e9);
    }
}
