package dev.randomchat.web;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.WebElement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The page in a real headless Chromium against the real server: two browsers are two strangers.
 * Browsers reach the server through a {@link TcpProxy} so a test can cut the network.
 */
class PageBrowserTests {

    /** MAX_UPLOAD_BYTES when unset: 10 MiB. */
    private static final long DEFAULT_MAX_UPLOAD_BYTES = 10L * 1024 * 1024;

    private static final String ADMIN_TOKEN = "browser-tests-admin-token-0123456789";

    @RegisterExtension
    static final ProxiedServer server = new ProxiedServer(Map.of("ADMIN_TOKEN", ADMIN_TOKEN));

    @RegisterExtension
    final Browsers browsers = new Browsers(server::baseUrl);

    @TempDir
    Path temp;

    @Test
    void strangersChatBothWaysSeeTypingAndSeenShareAnImageAndSeeTheOtherLeave() throws IOException {
        ChatPage ada = browsers.page(browsers.desktop());
        ChatPage bob = browsers.page(browsers.desktop());

        ada.open().fillHome("Ada", "");
        ada.browser().screenshot("home-desktop");
        ada.start();
        ada.browser().await("Looking for a stranger...", d -> ada.browser().find("#waiting-title").getText()
                .equals("Looking for a stranger..."));
        ada.browser().await("the elapsed time ticking", d -> !ada.browser().find("#elapsed").getText().equals("00:00"));
        ada.browser().screenshot("waiting-desktop");

        bob.open().fillHome("Bob", "").start();
        ada.awaitChat();
        bob.awaitChat();
        assertThat(ada.peerName()).isEqualTo("Bob");
        assertThat(bob.peerName()).isEqualTo("Ada");

        ada.type("Hello th");
        bob.browser().await("Ada is typing...", d -> bob.typingShown()
                && bob.browser().find("#typing").getText().equals("Ada is typing..."));
        ada.send("ere, Bob! https://example.com/x");
        bob.awaitPeerMessage("Hello there, Bob! https://example.com/x");
        bob.browser().await("the typing indicator gone with the message", d -> !bob.typingShown());
        assertThat(bob.browser().find("#log .msg.theirs a").getAttribute("rel")).contains("noopener");

        ada.browser().await("Seen under Ada's message", d -> ada.browser().shown("#log .msg.mine .seen"));
        assertThat(ada.browser().find("#log .msg.mine .seen").getText()).isEqualTo("Seen");

        bob.send("Hi Ada, nice to meet you.");
        ada.awaitPeerMessage("Hi Ada, nice to meet you.");
        bob.browser().await("Seen under Bob's message", d -> bob.browser().shown("#log .msg.mine .seen"));

        ada.attach(png("sunset.png"));
        bob.browser().await("the picture rendered, blurred", d -> Boolean.TRUE.equals(bob.browser().js("""
                const img = document.querySelector('#log .msg.theirs .reveal img');
                return !!img && img.complete && img.naturalWidth > 0;""")));
        assertThat(bob.browser().js("return getComputedStyle(document.querySelector('#log .msg.theirs .reveal img')).filter;"))
                .asString().contains("blur");
        assertThat(bob.browser().find("#log .msg.theirs .file-caption").getText()).matches("sunset\\.png\\s+\\d+(\\.\\d)? (B|KB)");
        bob.browser().screenshot("blurred-desktop");
        bob.browser().find("#log .msg.theirs .reveal").click();
        bob.browser().await("the picture revealed", d -> Boolean.TRUE.equals(bob.browser().js("""
                const img = document.querySelector('#log .msg.theirs a.picture img');
                return !!img && getComputedStyle(img).filter === 'none';""")));
        assertThat(bob.browser().findAll("#log .msg.theirs .reveal")).isEmpty();
        WebElement preview = bob.browser().find("#log .msg.theirs img").findElement(By.xpath(".."));
        assertThat(preview.getTagName()).isEqualTo("a");
        assertThat(preview.getAttribute("target")).isEqualTo("_blank");
        assertThat(preview.getAttribute("rel")).contains("noopener");
        ada.awaitNothingPending();
        ada.browser().screenshot("chat-desktop");
        bob.browser().screenshot("chat-desktop-peer");

        ada.leave(false);
        assertThat(bob.awaitEnded()).isEqualTo("Ada left.");
        assertThat(ada.awaitEnded()).isEqualTo("You left the chat.");
        assertThat(bob.browser().shown("#new-chat")).isTrue();
        assertThat(bob.focusedId()).as("focus after the end").isEqualTo("new-chat");
        assertThat(bob.browser().findAll("#log .note").stream().map(WebElement::getText).filter(t -> t.contains("left")))
                .as("one 'left' notice, in the end bar only").isEmpty();
        assertThat(bob.browser().shown("#composer")).isFalse();
    }

    @Test
    void markupInAMessageArrivesAsLiteralText() throws IOException {
        ChatPage[] pair = pair("Mallory", "", "Alice", "");
        String evil = "<img src=x onerror=alert(1)>";

        pair[0].send(evil);
        pair[1].awaitPeerMessage(evil);

        assertThat(pair[1].browser().findAll("#log img")).isEmpty();
        assertThat(pair[0].browser().findAll("#log img")).isEmpty();
        for (ChatPage page : pair) {
            assertThatThrownBy(() -> page.browser().driver().switchTo().alert())
                    .isInstanceOf(NoAlertPresentException.class);
        }
    }

    @Test
    void aFileOverTheUploadLimitIsRefusedWithTheLimitInTheMessage() throws IOException {
        ChatPage[] pair = pair("Uma", "", "Vic", "");
        Path big = temp.resolve("huge.bin");
        try (RandomAccessFile file = new RandomAccessFile(big.toFile(), "rw")) {
            file.setLength(DEFAULT_MAX_UPLOAD_BYTES + 1);
        }

        pair[0].attach(big);

        pair[0].browser().await("the size error", d -> pair[0].browser().shown("#composer-error"));
        assertThat(pair[0].browser().find("#composer-error").getText()).isEqualTo("File too large (max 10 MB)");
        assertThat(pair[1].browser().findAll("#log .msg.theirs")).isEmpty();
    }

    @Test
    void reconnectsByItselfAfterTheConnectionIsCutAndDeliversAMessageTypedMeanwhileOnce() throws IOException {
        ChatPage[] pair = pair("Ann", "", "Ben", "");
        ChatPage ann = pair[0];
        ChatPage ben = pair[1];
        ann.send("before the cut");
        ben.awaitPeerMessage("before the cut");

        // The page retries while the network is down; Chromium logs each failed attempt.
        browsers.expectErrors(message -> message.contains("WebSocket connection to")
                || message.contains("Failed to load resource")
                || message.contains("ERR_CONNECTION")
                || message.contains("ERR_EMPTY_RESPONSE"));
        server.proxy().down();
        try {
            ann.browser().await("the page noticing the cut",
                    d -> !"connected".equals(ann.browser().find("#conn").getAttribute("data-state")));
            ann.send("typed during the outage");
            assertThat(ann.browser().findAll("#log .msg.mine.pending")).hasSize(1);
            assertThat(ann.browser().find("#conn-text").getText()).matches("Reconnecting.*|Connecting.*|Offline");
        } finally {
            server.proxy().up();
        }

        ben.awaitPeerMessage("typed during the outage");
        ann.awaitNothingPending();
        ann.browser().await("connected again",
                d -> "connected".equals(ann.browser().find("#conn").getAttribute("data-state")));
        // Messages arrive in order: once this one is there, a duplicate of the earlier one would be too.
        ann.send("after the cut");
        ben.awaitPeerMessage("after the cut");

        assertThat(ben.countPeerMessagesWith("typed during the outage")).isEqualTo(1);
        assertThat(ben.countPeerMessagesWith("before the cut")).isEqualTo(1);
        assertThat(ann.myTexts()).containsExactly("before the cut", "typed during the outage", "after the cut");
    }

    @Test
    void aReturningVisitorGoesStraightBackToTheOpenChatWithItsHistory() throws IOException {
        ChatPage[] pair = pair("Gus", "", "Hal", "");
        ChatPage gus = pair[0];
        ChatPage hal = pair[1];
        gus.send("first");
        hal.awaitPeerMessage("first");
        hal.send("second");
        gus.awaitPeerMessage("second");

        hal.browser().driver().navigate().refresh();
        hal.awaitChat();
        hal.browser().await("the history replayed",
                d -> hal.peerTexts().contains("first") && hal.myTexts().contains("second"));
        assertThat(hal.peerTexts()).containsExactly("first");
        assertThat(hal.myTexts()).containsExactly("second");
        assertThat(hal.peerName()).isEqualTo("Gus");

        hal.send("back again");
        gus.awaitPeerMessage("back again");
        assertThat(gus.peerTexts()).containsExactly("second", "back again");
    }

    @Test
    void aReturningVisitorWhoseChatEndedMeanwhileLandsOnTheHomeScreen() throws IOException {
        ChatPage[] pair = pair("Ida", "", "Joe", "");
        pair[1].browser().open("about:blank");
        pair[0].leave(false);
        pair[0].awaitEnded();

        pair[1].open();
        pair[1].browser().await("the home screen with a note", d -> pair[1].browser().shown("#screen-home")
                && pair[1].browser().find("#home-error").getText().equals("Your previous chat has ended."));
        assertThat(pair[1].browser().js("return localStorage.getItem('rc.channel');")).isNull();
    }

    @Test
    void onAPhoneTheMessageBoxAndSendStayVisibleWithoutHorizontalScrolling() throws IOException {
        ChatPage eve = browsers.page(browsers.mobile());
        ChatPage dan = browsers.page(browsers.mobile());

        eve.open().fillHome("Eve", "hiking, jazz");
        eve.browser().screenshot("home-mobile");
        assertNoHorizontalScroll(eve.browser());
        eve.start();
        eve.browser().await("the elapsed time ticking", d -> !eve.browser().find("#elapsed").getText().equals("00:00"));
        eve.browser().screenshot("waiting-mobile");
        assertNoHorizontalScroll(eve.browser());

        dan.open().fillHome("Daniel with a rather long name", "").start();
        eve.awaitChat();
        dan.awaitChat();
        dan.send("A long line without spaces: " + "x".repeat(120));
        eve.awaitPeerMessage("A long line without spaces: " + "x".repeat(120));
        eve.send("Short answer");
        dan.awaitPeerMessage("Short answer");
        eve.browser().screenshot("chat-mobile");

        for (ChatPage page : List.of(eve, dan)) {
            assertNoHorizontalScroll(page.browser());
            assertInViewport(page.browser(), "#message");
            assertInViewport(page.browser(), "#send");
            assertThat(page.browser().find("#message").isDisplayed()).isTrue();
            assertThat(page.browser().find("#send").isDisplayed()).isTrue();
        }
    }

    @Test
    void aVisitorWithInterestsSeesTheCommonInterestOnMatching() throws IOException {
        ChatPage[] pair = pair("Cleo", "Chess, music", "Dora", "music, films");

        for (ChatPage page : pair) {
            page.browser().await("the common interest", d -> page.browser().findAll("#log .note.common").size() == 1);
            assertThat(page.browser().find("#log .note.common").getText()).isEqualTo("You both like: music");
        }
    }

    @Test
    void reportSendsTheReportAndEndsTheChatForBoth() throws IOException {
        ChatPage[] pair = pair("Rita", "", "Troll", "");
        pair[1].send("buy cheap stuff at http://spam.example");
        pair[0].awaitPeerMessage("buy cheap stuff at http://spam.example");

        pair[0].report("spam", "Sends links to shops.");

        assertThat(pair[0].awaitEnded()).isEqualTo("You reported Troll. The chat has ended.");
        assertThat(pair[1].awaitEnded()).isEqualTo("Rita left.");
    }

    @Test
    void leaveAndBlockEndsTheChatForBoth() throws IOException {
        ChatPage[] pair = pair("Bea", "", "Carl", "");

        pair[0].leave(true);

        assertThat(pair[0].awaitEnded()).isEqualTo("You left the chat.");
        assertThat(pair[1].awaitEnded()).isEqualTo("Bea left.");
    }

    @Test
    void aBannedVisitorIsToldSoAndThePageStopsReconnecting() throws Exception {
        ChatPage[] pair = pair("Zed", "", "Amy", "");
        String guestId = pair[0].guestId();

        HttpResponse<String> ban = HttpClient.newHttpClient().send(HttpRequest.newBuilder(server.chat().managementUri("/api/admin/bans"))
                .header("Authorization", "Bearer " + ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"guestId\":\"" + guestId + "\",\"hours\":1}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ban.statusCode()).as(ban.body()).isEqualTo(201);

        Browser zed = pair[0].browser();
        zed.await("the ban explained", d -> zed.shown("#screen-home")
                && zed.find("#home-error").getText().equals("You have been banned from Random Chat."));
        assertThat(zed.find("#conn").getAttribute("data-state")).isEqualTo("stopped");
        assertThat(zed.find("#conn-text").getText()).isEqualTo("Banned");
    }

    // ---- helpers ----

    private ChatPage[] pair(String nameA, String interestsA, String nameB, String interestsB) throws IOException {
        return browsers.pair(browsers.desktop(), nameA, interestsA, browsers.desktop(), nameB, interestsB);
    }

    private Path png(String name) throws IOException {
        BufferedImage image = new BufferedImage(160, 100, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(0xF59E0B), 0, 100, new Color(0xDB2777)));
        g.fillRect(0, 0, 160, 100);
        g.setColor(new Color(0xFDE68A));
        g.fillOval(55, 45, 50, 50);
        g.dispose();
        Path file = temp.resolve(name);
        ImageIO.write(image, "png", file.toFile());
        return file;
    }

    private static void assertNoHorizontalScroll(Browser browser) {
        Object fits = browser.js("return document.documentElement.scrollWidth <= window.innerWidth;");
        assertThat(fits).as("no horizontal scrolling").isEqualTo(Boolean.TRUE);
    }

    private static void assertInViewport(Browser browser, String css) {
        Object inside = browser.js("""
                const r = document.querySelector(arguments[0]).getBoundingClientRect();
                return r.width > 0 && r.height > 0 && r.left >= 0 && r.top >= 0
                    && r.right <= window.innerWidth && r.bottom <= window.innerHeight;""", css);
        assertThat(inside).as(css + " inside the viewport").isEqualTo(Boolean.TRUE);
    }
}
