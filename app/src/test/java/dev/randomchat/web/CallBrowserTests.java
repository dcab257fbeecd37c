package dev.randomchat.web;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.ScratchDirs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two strangers in headless Chromium with fake cameras call each other through a real coturn.
 * Every media packet stays on 127.0.0.1: coturn listens and relays on loopback only, and the server
 * tells the page to use the relay only ({@code ICE_TRANSPORT_POLICY=relay}).
 */
class CallBrowserTests {

    private static final Path TURNSERVER = Path.of("/usr/bin/turnserver");
    private static final String TURN_SECRET = "browser-call-test-turn-secret";
    /** Relay ports coturn may hand out: two calls need a handful. */
    private static final int RELAY_PORTS = 40;
    private static final List<String> MEDIA_FLAGS = List.of(
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream");

    private static Path scratch;
    private static Process turn;
    private static ChatServer server;

    @RegisterExtension
    final Browsers browsers = new Browsers(() -> server.baseUrl(),
            entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue(), "SEVERE console entries");

    @BeforeAll
    static void startTurnAndServer() throws Exception {
        Browser.assumeInstalled();
        assumeTrue(Files.isExecutable(TURNSERVER),
                "call browser test skipped: " + TURNSERVER + " is missing (apt-get install coturn)");
        scratch = Files.createTempDirectory("rc-coturn-");
        int port = freeUdpAndTcpPort();
        int relayFrom = freeUdpRange(RELAY_PORTS);
        turn = new ProcessBuilder(TURNSERVER.toString(), "-n",
                "--listening-ip=127.0.0.1", "--relay-ip=127.0.0.1", "--listening-port=" + port,
                "--min-port=" + relayFrom, "--max-port=" + (relayFrom + RELAY_PORTS - 1),
                "--use-auth-secret", "--static-auth-secret=" + TURN_SECRET, "--realm=randomchat.test",
                // Test only: both browsers are on this machine, so the relay's peers are loopback.
                "--allow-loopback-peers",
                "--no-cli", "--no-tls", "--no-dtls", "--no-multicast-peers",
                "--no-stdout-log", "--simple-log", "--log-file=" + scratch.resolve("turn.log"),
                "--pidfile=" + scratch.resolve("turn.pid"), "--userdb=" + scratch.resolve("turndb"))
                .redirectErrorStream(true)
                .redirectOutput(scratch.resolve("turn.out").toFile())
                .start();
        awaitListening(port);
        server = ChatServer.start(Map.of(
                "TURN_URLS", "turn:127.0.0.1:" + port + "?transport=udp,turn:127.0.0.1:" + port + "?transport=tcp",
                "TURN_SECRET", TURN_SECRET,
                "TURN_TTL_SECONDS", "600",
                "ICE_TRANSPORT_POLICY", "relay"));
    }

    @AfterAll
    static void stopTurnAndServer() throws InterruptedException {
        if (server != null) {
            server.close();
        }
        if (turn != null) {
            turn.destroy();
            if (!turn.waitFor(10, TimeUnit.SECONDS)) {
                turn.destroyForcibly();
            }
        }
        if (scratch != null) {
            ScratchDirs.deleteTree(scratch);
        }
    }

    @Test
    void strangersSeeEachOthersCameraThroughTheRelayAndHangingUpReleasesBothCameras() throws IOException {
        ChatPage ada = browsers.page(Browser.withArguments(1280, 800, false, MEDIA_FLAGS));
        ChatPage bob = browsers.page(Browser.withArguments(390, 844, true, MEDIA_FLAGS));
        ada.open().fillHome("Ada", "").start();
        bob.open().fillHome("Bob", "").start();
        ada.awaitChat();
        bob.awaitChat();

        ada.browser().find("#call-video").click();
        bob.browser().await("Ada's request", d -> bob.browser().shown("#call-accept"));
        assertThat(bob.browser().find("#call-prompt-text").getText()).isEqualTo("Ada asks to turn on video.");
        ada.browser().screenshot("call-desktop-asking");
        bob.browser().screenshot("call-phone-request");
        assertThat(ada.browser().driver().switchTo().activeElement().getAttribute("id")).as("focus on Cancel").isEqualTo("call-cancel");
        assertThat(bob.browser().axeViolations()).as("axe on the request").isEmpty();
        assertThat(localTracks(ada)).as("Ada's camera before Bob accepted").isEmpty();
        assertThat(localTracks(bob)).as("Bob's camera before he accepted").isEmpty();

        bob.browser().find("#call-accept").click();
        for (ChatPage guest : List.of(ada, bob)) {
            guest.browser().await("the call connected", d -> "active".equals(phase(guest)));
            guest.browser().await("remote video decoding", d -> framesDecoded(guest) > 0);
        }
        for (ChatPage guest : List.of(ada, bob)) {
            long before = framesDecoded(guest);
            guest.browser().await("more remote frames decoded", d -> framesDecoded(guest) > before + 10);
            assertThat(relayAddresses(guest)).as("the selected local candidate: relayed on loopback")
                    .containsExactly("relay 127.0.0.1");
            assertThat(guest.browser().js("return document.getElementById('call-remote').videoWidth")).isNotEqualTo(0L);
            assertThat(localTracks(guest)).containsOnly("video:live", "audio:live");
            assertThat(guest.browser().find("#call-remote").findElement(org.openqa.selenium.By.xpath(".."))
                    .getAttribute("class")).as("the stranger's video starts blurred").contains("veiled");
        }
        ada.browser().screenshot("call-desktop-veiled");
        bob.browser().screenshot("call-phone-veiled");
        ada.browser().find("#call-unveil").click();
        bob.browser().find("#call-unveil").click();
        bob.browser().await("Bob's view unblurred", d -> !bob.browser().shown("#call-unveil"));
        ada.browser().screenshot("call-desktop");
        bob.browser().screenshot("call-phone");
        assertThat(ada.browser().axeViolations()).as("axe in a call, desktop").isEmpty();
        assertThat(bob.browser().axeViolations()).as("axe in a call, phone").isEmpty();

        bob.browser().find("#call-mute").click();
        assertThat(bob.browser().find("#call-mute").getAttribute("aria-pressed")).isEqualTo("true");

        ada.browser().find("#call-hangup").click();
        for (ChatPage guest : List.of(ada, bob)) {
            guest.browser().await("the call over", d -> "idle".equals(phase(guest)));
            guest.browser().await("every local track stopped",
                    d -> localTracks(guest).stream().allMatch(track -> track.endsWith(":ended")));
            assertThat(localTracks(guest)).hasSize(2);
            assertThat(guest.browser().shown("#call-video")).isTrue();
        }
    }

    @Test
    void leavingTheChatEndsAVoiceCallAndReleasesBothMicrophones() throws IOException {
        ChatPage eve = browsers.page(Browser.withArguments(1280, 800, false, MEDIA_FLAGS));
        ChatPage dan = browsers.page(Browser.withArguments(1280, 800, false, MEDIA_FLAGS));
        eve.open().fillHome("Eve", "").start();
        dan.open().fillHome("Dan", "").start();
        eve.awaitChat();
        dan.awaitChat();

        dan.browser().find("#call-voice").click();
        eve.browser().await("Dan's request", d -> eve.browser().shown("#call-accept"));
        assertThat(eve.browser().find("#call-prompt-text").getText()).isEqualTo("Dan asks for a voice call.");
        eve.browser().find("#call-accept").click();
        for (ChatPage guest : List.of(eve, dan)) {
            guest.browser().await("the voice call connected", d -> "active".equals(phase(guest)));
            assertThat(localTracks(guest)).containsExactly("audio:live");
        }

        dan.browser().find("#leave").click();
        dan.browser().find("#leave-confirm").click();
        for (ChatPage guest : List.of(eve, dan)) {
            guest.browser().await("the chat ended", d -> guest.browser().shown("#ended"));
            guest.browser().await("the microphone released",
                    d -> "idle".equals(phase(guest)) && localTracks(guest).equals(List.of("audio:ended")));
        }
    }

    private static String phase(ChatPage page) {
        return (String) page.browser().js("return window.randomChatCall.phase();");
    }

    @SuppressWarnings("unchecked")
    private static List<String> localTracks(ChatPage page) {
        return (List<String>) page.browser().js(
                "return window.randomChatCall.localTracks().map((t) => t.kind + ':' + t.readyState);");
    }

    /** Frames of the stranger's video decoded so far ({@code inbound-rtp} in the connection's stats). */
    private static long framesDecoded(ChatPage page) {
        Object frames = page.browser().jsAsync("""
                const done = arguments[arguments.length - 1];
                const pc = window.randomChatCall.peerConnection();
                if (!pc) { done(-1); return; }
                pc.getStats().then((stats) => {
                  let frames = 0;
                  stats.forEach((s) => { if (s.type === 'inbound-rtp' && s.kind === 'video') frames = s.framesDecoded || 0; });
                  done(frames);
                }, () => done(-1));""");
        return ((Number) frames).longValue();
    }

    /** The type and address of the local candidate of each selected (succeeded, nominated) pair. */
    @SuppressWarnings("unchecked")
    private static List<String> relayAddresses(ChatPage page) {
        return (List<String>) page.browser().jsAsync("""
                const done = arguments[arguments.length - 1];
                window.randomChatCall.peerConnection().getStats().then((stats) => {
                  const out = [];
                  stats.forEach((s) => {
                    if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated) {
                      const local = stats.get(s.localCandidateId);
                      out.push(local.candidateType + ' ' + (local.address || local.ip));
                    }
                  });
                  done([...new Set(out)]);
                });""");
    }

    private static void awaitListening(int port) throws InterruptedException {
        long deadline = System.nanoTime() + Browser.WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            assertThat(turn.isAlive()).as("turnserver running (see its log in " + scratch + ")").isTrue();
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("turnserver did not listen on " + port + " within " + Browser.WAIT);
    }

    /** A loopback port free for both TCP and UDP (coturn takes both). */
    private static int freeUdpAndTcpPort() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
                    DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                            tcp.getLocalPort()))) {
                return tcp.getLocalPort();
            } catch (IOException taken) {
                // another try with another port
            }
        }
        throw new IOException("no loopback port free for TCP and UDP");
    }

    /** The first of {@code count} consecutive UDP ports free on loopback, above the usual ephemeral range. */
    private static int freeUdpRange(int count) throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int from = ThreadLocalRandom.current().nextInt(20_000, 30_000);
            List<DatagramSocket> held = new ArrayList<>();
            try {
                for (int port = from; port < from + count; port++) {
                    held.add(new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port)));
                }
                return from;
            } catch (IOException taken) {
                // another try with another range
            } finally {
                held.forEach(DatagramSocket::close);
            }
        }
        throw new IOException("no " + count + " consecutive free UDP ports on loopback");
    }
}
