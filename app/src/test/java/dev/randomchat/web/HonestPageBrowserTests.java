package dev.randomchat.web;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.imageio.ImageIO;

import dev.randomchat.support.ChatServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.interactions.Actions;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the page tells its visitor, in real Chromium against a real server: a stranger who is gone,
 * an honest connection status, safety after the end, right-to-left text, blurred pictures,
 * background-tab cues, the keyboard, accessibility in light and dark, and how the page is delivered.
 */
class HonestPageBrowserTests {

    /** Short, so a test sees a vanished stranger's chat end; long enough that a page offline for a few seconds on a busy machine is not taken for gone. */
    private static final int PEER_GONE_SECONDS = 10;

    /** The status must say offline within this long of the network going away. */
    private static final Duration OFFLINE_NOTICED = Duration.ofSeconds(5);

    @RegisterExtension
    static final ProxiedServer server = new ProxiedServer(Map.of(
            "PEER_GONE_SECONDS", String.valueOf(PEER_GONE_SECONDS),
            "INTEREST_WAIT_SECONDS", "1"));

    @RegisterExtension
    final Browsers browsers = new Browsers(server::baseUrl);

    @TempDir
    Path temp;

    @Test
    void aStrangerWhoClosesTheTabIsShownAsGoneThenTheChatEndsAndCanStillBeReportedAndBlocked() throws IOException {
        ChatPage[] pair = browsers.pair(browsers.desktop(), "Nia", "", browsers.desktop(), "Oto", "");
        ChatPage nia = pair[0];
        ChatPage oto = pair[1];
        oto.send("bye soon");
        nia.awaitPeerMessage("bye soon");

        browsers.close(oto.browser());

        Browser b = nia.browser();
        b.await("the stranger shown as away", d -> b.find("#presence-text").getText().equals("lost connection...")
                && b.find("#log").getText().contains("Oto lost connection..."));
        assertThat(b.find("#chat-status").getAttribute("role")).isEqualTo("status");
        assertThat(b.find("#chat-status").getAttribute("textContent")).isEqualTo("Oto lost connection...");
        assertThat(b.shown("#composer")).as("still open while the stranger may come back").isTrue();

        assertThat(nia.awaitEnded()).isEqualTo("Oto disconnected.");
        assertThat(nia.focusedId()).isEqualTo("new-chat");
        assertThat(b.shown("#composer")).isFalse();
        assertThat(b.shown("#report-after")).isTrue();
        b.screenshot("ended-desktop");

        nia.reportAfterTheEnd("abuse");
        nia.blockAfterTheEnd();
        assertThat(b.find("#toast").getText()).isEqualTo("Blocked. You will not be paired with Oto again.");
    }

    @Test
    void afterTheStrangerLeftReportAndBlockStillWorkAndNoReasonIsPreselected() throws IOException {
        ChatPage[] pair = browsers.pair(browsers.phone(), "Pia", "", browsers.desktop(), "Quin", "");
        pair[1].send("something rude");
        pair[0].awaitPeerMessage("something rude");
        pair[1].leave(false);

        assertThat(pair[0].awaitEnded()).isEqualTo("Quin left.");
        pair[0].browser().screenshot("ended-phone");
        pair[0].reportAfterTheEnd("abuse");
        pair[0].blockAfterTheEnd();
    }

    @Test
    void theStatusSaysOfflineWithinFiveSecondsOfTheNetworkGoingAwayAndExplainsWaitingMessages() throws IOException {
        // Offline reconnect attempts fail, and Chromium logs each.
        browsers.expectErrors(message -> message.contains("WebSocket connection to") || message.contains("ERR_INTERNET_DISCONNECTED"));
        ChatPage[] pair = browsers.pair(browsers.desktop(), "Rex", "", browsers.phone(), "Sol", "");
        for (ChatPage page : pair) {
            Browser b = page.browser();
            long cut = System.nanoTime();
            b.setOffline(true);
            b.await("offline shown", d -> "offline".equals(page.connectionState()));
            assertThat(Duration.ofNanos(System.nanoTime() - cut)).isLessThan(OFFLINE_NOTICED);
            assertThat(b.find("#conn-text").getText()).isEqualTo("Offline");
            assertThat(b.shown("#conn-note")).isTrue();
            assertThat(b.find("#conn-note").getText()).contains("sent when you are back");
        }
        pair[0].send("written offline");
        Browser rex = pair[0].browser();
        rex.await("the pending message explained", d -> rex.find("#log .msg.pending .state").getText()
                .equals("waiting for connection"));
        rex.screenshot("offline-desktop");
        pair[1].browser().screenshot("offline-phone");

        for (ChatPage page : pair) {
            page.browser().setOffline(false);
        }
        pair[1].awaitPeerMessage("written offline");
        pair[0].awaitNothingPending();
        for (ChatPage page : pair) {
            page.browser().await("connected again", d -> "connected".equals(page.connectionState()));
            assertThat(page.browser().shown("#conn-note")).isFalse();
        }
    }

    @Test
    void rightToLeftTextRunsRightToLeftAndTheSpeakerStaysOutsideTheText() throws IOException {
        ChatPage[] pair = browsers.pair(browsers.desktop(), "Tal", "", browsers.desktop(), "Uri", "");
        String arabic = "مرحبا! كيف حالك؟";
        pair[0].send(arabic);
        pair[1].awaitPeerMessage(arabic);

        Browser b = pair[1].browser();
        assertThat(b.find("#log .msg.theirs .text").getAttribute("dir")).isEqualTo("auto");
        assertThat(b.js("return getComputedStyle(document.querySelector('#log .msg.theirs .text')).direction;"))
                .isEqualTo("rtl");
        assertThat(b.find("#log .msg.theirs .text").getAttribute("textContent")).isEqualTo(arabic);
        assertThat(b.find("#log .msg.theirs > .visually-hidden").getAttribute("textContent")).isEqualTo("Tal: ");
        assertThat(b.find("#message").getAttribute("dir")).isEqualTo("auto");
    }

    @Test
    void interestsInAnyScriptMatchAndAFallbackToAnyoneIsSaid() throws IOException {
        ChatPage[] pair = browsers.pair(browsers.desktop(), "Vera", "Музыка, chess", browsers.desktop(), "Wim", "музыка");
        for (ChatPage page : pair) {
            page.browser().await("the common interest", d -> page.browser().findAll("#log .note.common").size() == 1);
            assertThat(page.browser().find("#log .note.common").getText()).isEqualTo("You both like: музыка");
        }

        ChatPage[] strangers = browsers.pair(browsers.desktop(), "Xia", "origami", browsers.desktop(), "Yul", "");
        strangers[0].browser().await("the fallback said", d -> strangers[0].browser().find("#log").getText()
                .contains("No one shared your interests, so this is a random stranger."));
    }

    @Test
    void aPictureFromTheStrangerIsBlurredUntilClickedUnlessTheSettingIsOff() throws IOException {
        Browser zoe = browsers.phone();
        ChatPage a = new ChatPage(zoe, server.baseUrl());
        ChatPage b = new ChatPage(browsers.desktop(), server.baseUrl());
        a.open().fillHome("Zoe", "");
        a.start();
        b.open().fillHome("Abe", "");
        b.browser().find("#blur").click(); // Abe sees pictures at once
        b.start();
        a.awaitChat();
        b.awaitChat();

        a.attach(png("from-zoe.png"));
        b.browser().await("Zoe's picture, unblurred", d -> b.browser().findAll("#log .msg.theirs a.picture img").size() == 1);
        assertThat(b.browser().findAll("#log .reveal")).isEmpty();

        b.attach(png("from-abe.png"));
        zoe.await("Abe's picture, blurred", d -> zoe.findAll("#log .msg.theirs .reveal").size() == 1);
        assertThat(zoe.find("#log .msg.theirs .reveal").getAttribute("aria-label"))
                .startsWith("Show the picture from-abe.png, ").endsWith(", from Abe");
        zoe.screenshot("blurred-phone");
        zoe.find("#log .msg.theirs .reveal").click();
        zoe.await("revealed", d -> zoe.findAll("#log .msg.theirs a.picture img").size() == 1);
        assertThat(zoe.js("return document.activeElement.classList.contains('picture');")).isEqualTo(Boolean.TRUE);
    }

    @Test
    void aKeyboardOnlyVisitorStartsCancelsWithEscapeAndLeavesWithNextPressedTwice() throws IOException {
        // A server of its own: who meets whom here must not depend on what earlier tests left waiting.
        try (ChatServer own = ChatServer.start(Map.of("PEER_GONE_SECONDS", String.valueOf(PEER_GONE_SECONDS)));
                TcpProxy ownProxy = new TcpProxy(own.port())) {
            keyboardJourney(ownProxy.baseUrl());
            // While the server still runs: its pages must not log its going away.
            browsers.assertConsolesCleanThenClose();
        }
    }

    private void keyboardJourney(String baseUrl) throws IOException {
        ChatPage kay = new ChatPage(browsers.desktop(), baseUrl);
        Browser k = kay.browser();
        kay.open();
        assertThat(kay.focusedId()).isEqualTo("name");
        new Actions(k.driver()).sendKeys("Kay").sendKeys(Keys.ENTER).perform();
        k.await("waiting, Cancel focused", d -> k.shown("#screen-waiting") && kay.focusedId().equals("cancel"));
        new Actions(k.driver()).sendKeys(Keys.ESCAPE).perform();
        k.await("back home after Escape", d -> k.shown("#screen-home") && kay.focusedId().equals("name"));

        new Actions(k.driver()).sendKeys(Keys.ENTER).perform();
        ChatPage lee = new ChatPage(browsers.desktop(), baseUrl);
        lee.open().fillHome("Lee", "").start();
        kay.awaitChat();
        lee.awaitChat();
        assertThat(kay.focusedId()).isEqualTo("message");

        new Actions(k.driver()).sendKeys(Keys.ESCAPE).perform();
        k.await("Really?", d -> k.find("#next").getText().equals("Really?"));
        assertThat(k.shown("#screen-chat")).isTrue();
        new Actions(k.driver()).sendKeys(Keys.ESCAPE).perform();
        k.await("waiting again", d -> k.shown("#screen-waiting") && kay.focusedId().equals("cancel"));
        assertThat(k.find("#waiting-cooldown").getText()).isEqualTo("You will not be paired with Lee again right away.");
        assertThat(lee.awaitEnded()).isEqualTo("Kay left.");
        assertThat(lee.focusedId()).isEqualTo("new-chat");
        new Actions(k.driver()).sendKeys(Keys.ESCAPE).perform(); // Kay stops waiting
        k.await("Kay home", d -> k.shown("#screen-home"));

        // Lee arms Next, and the stranger leaves before the second press: it still goes on.
        ChatPage mo = new ChatPage(browsers.desktop(), baseUrl);
        new Actions(lee.browser().driver()).sendKeys(Keys.ENTER).perform(); // New chat
        lee.browser().await("waiting", d -> lee.browser().shown("#screen-waiting") || lee.browser().shown("#screen-chat"));
        mo.open().fillHome("Mo", "").start();
        lee.awaitChat();
        mo.awaitChat();
        lee.browser().find("#next").click();
        lee.browser().await("Really?", d -> lee.browser().find("#next").getText().equals("Really?"));
        mo.leave(false);
        assertThat(lee.awaitEnded()).isEqualTo("Mo left.");
        assertThat(lee.focusedId()).isEqualTo("new-chat");
        new Actions(lee.browser().driver()).sendKeys(Keys.ESCAPE).perform();
        lee.browser().await("the second press meets someone new", d -> lee.browser().shown("#screen-waiting"));
    }

    @Test
    void axeFindsNoViolationsInAnyStateInLightOrDark() throws IOException {
        ChatPage amy = browsers.page(browsers.desktop());
        Browser a = amy.browser();
        amy.open();
        checkAxe(a, "home");
        amy.fillHome("Amy", "").start();
        checkAxe(a, "waiting");

        ChatPage ben = browsers.page(browsers.desktop());
        ben.open().fillHome("Ben", "").start();
        amy.awaitChat();
        ben.awaitChat();
        amy.send("hello https://example.com");
        ben.awaitPeerMessage("hello https://example.com");
        ben.attach(png("axe.png"));
        a.await("the blurred picture", d -> a.shown("#log .reveal"));
        ben.type("typing");
        a.await("typing shown", d -> a.shown("#typing"));
        checkAxe(a, "chat");
        a.find("#next").click();
        checkAxe(a, "next armed");
        a.find("#report").click();
        a.await("the report dialog", d -> a.find("#report-dialog").isDisplayed());
        checkAxe(a, "report dialog");
        new Actions(a.driver()).sendKeys(Keys.ESCAPE).perform();
        a.setOffline(true);
        browsers.expectErrors(message -> message.contains("WebSocket connection to") || message.contains("ERR_INTERNET_DISCONNECTED"));
        a.await("offline", d -> "offline".equals(amy.connectionState()));
        checkAxe(a, "offline");
        a.setOffline(false);
        a.await("connected", d -> "connected".equals(amy.connectionState()));
        ben.leave(false);
        amy.awaitEnded();
        checkAxe(a, "ended");
    }

    @Test
    void withStorageBlockedAndNotificationsGrantedThePageStillStartsAndChats() throws IOException {
        Browser blocked = browsers.desktop();
        blocked.cdp("Page.addScriptToEvaluateOnNewDocument", Map.of("source", """
                Object.defineProperty(window, 'localStorage', {
                  configurable: true,
                  get() { throw new DOMException('storage is blocked', 'SecurityError'); },
                });"""));
        blocked.cdp("Browser.grantPermissions", Map.of("origin", server.baseUrl().replaceAll("/$", ""),
                "permissions", List.of("notifications")));
        ChatPage cy = new ChatPage(blocked, server.baseUrl());
        cy.open();
        assertThat(blocked.js("try { localStorage; return 'readable'; } catch (e) { return e.name; }")).isEqualTo("SecurityError");
        assertThat(blocked.js("return Notification.permission;")).isEqualTo("granted");
        ChatPage di = browsers.page(browsers.desktop());
        cy.fillHome("Cy", "").start();
        di.open().fillHome("Di", "").start();
        cy.awaitChat();
        di.awaitChat();
        blocked.find("#bell").click();
        blocked.await("notifications on for this visit", d -> "true".equals(blocked.find("#bell").getAttribute("aria-pressed")));
        di.send("works without storage");
        cy.awaitPeerMessage("works without storage");
    }

    @Test
    void aBackgroundTabGetsTitleCuesAndTheCountClearsOnReturn() throws IOException {
        ChatPage eli = browsers.page(browsers.desktop());
        Browser e = eli.browser();
        eli.open();
        assertThat(e.shown("#bell")).as("no bell on the landing page").isFalse();
        eli.fillHome("Eli", "").start();
        assertThat(e.shown("#sound")).isTrue();
        assertThat(e.find("#sound").getAttribute("aria-pressed")).isEqualTo("false");
        String home = e.driver().getWindowHandle();
        e.driver().switchTo().newWindow(WindowType.TAB);
        String other = e.driver().getWindowHandle();
        e.driver().switchTo().window(home);
        ChatPage fay = browsers.page(browsers.desktop());
        fay.open().fillHome("Fay", "").start();
        fay.awaitChat();
        e.await("the title says who was found", d -> "Chatting with Fay - Random Chat".equals(e.js("return document.title;"))
                || !"hidden".equals(e.js("return document.visibilityState;")));
        // Headless Chromium may keep the first tab visible; the cue is only checked where it is hidden.
        boolean hidden = "hidden".equals(e.js("return document.visibilityState;"));
        if (hidden) {
            fay.send("are you there?");
            e.await("the unread count", d -> "(1) Fay - Random Chat".equals(e.js("return document.title;")));
            e.driver().switchTo().window(other).close();
            e.driver().switchTo().window(home);
            e.await("the title cleared", d -> "Random Chat".equals(e.js("return document.title;")));
        }
    }

    @Test
    void theLandingPageShowsWhoIsOnlineAndThePageIsCompressedAndCachedByVersion() throws Exception {
        ChatPage gil = browsers.page(browsers.desktop());
        gil.open();
        gil.browser().await("the online count", d -> gil.browser().shown("#online"));
        assertThat(gil.browser().find("#online").getText()).matches("\\d+ online now(, \\d+ waiting)?");

        @SuppressWarnings("unchecked")
        List<String> scripts = (List<String>) gil.browser().js(
                "return performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => p.endsWith('.js'));");
        assertThat(scripts).isNotEmpty().allMatch(p -> p.matches("/v/[0-9a-f]{12}/js/[a-z-]+\\.js"));

        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> page = http.send(HttpRequest.newBuilder(server.chat().uri("/"))
                .header("Accept-Encoding", "identity").build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.headers().firstValue("Cache-Control")).hasValue("no-cache");
        String etag = page.headers().firstValue("ETag").orElseThrow();
        Matcher css = Pattern.compile("href=\"(/v/[0-9a-f]{12}/app\\.css)\"").matcher(page.body());
        assertThat(css.find()).as("a versioned stylesheet in " + page.body()).isTrue();
        assertThat(page.body()).contains("rel=\"modulepreload\" href=\"/v/");

        HttpResponse<Void> again = http.send(HttpRequest.newBuilder(server.chat().uri("/")).header("If-None-Match", etag).build(),
                HttpResponse.BodyHandlers.discarding());
        assertThat(again.statusCode()).isEqualTo(304);

        HttpResponse<byte[]> asset = http.send(HttpRequest.newBuilder(URI.create(server.chat().baseUrl() + css.group(1)))
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(asset.statusCode()).isEqualTo(200);
        assertThat(asset.headers().firstValue("Content-Encoding")).hasValue("gzip");
        assertThat(asset.headers().firstValue("Cache-Control").orElse("")).contains("max-age=31536000", "immutable");

        HttpResponse<byte[]> plain = http.send(HttpRequest.newBuilder(server.chat().uri("/js/app.js"))
                .header("Accept-Encoding", "gzip").build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(plain.headers().firstValue("Cache-Control").orElse("")).contains("no-cache");
        assertThat(plain.headers().firstValue("Content-Encoding")).hasValue("gzip");
    }

    // ---- helpers ----

    private void checkAxe(Browser browser, String state) {
        for (String scheme : List.of("light", "dark")) {
            browser.colorScheme(scheme);
            assertThat(browser.axeViolations()).as("axe violations on " + state + " (" + scheme + ")").isEmpty();
        }
        browser.colorScheme("light");
    }

    private Path png(String name) throws IOException {
        BufferedImage image = new BufferedImage(160, 100, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(0x2563EB));
        g.fillRect(0, 0, 160, 100);
        g.setColor(new Color(0xFDE68A));
        g.fillOval(55, 25, 50, 50);
        g.dispose();
        Path file = temp.resolve(name);
        ImageIO.write(image, "png", file.toFile());
        return file;
    }
}
