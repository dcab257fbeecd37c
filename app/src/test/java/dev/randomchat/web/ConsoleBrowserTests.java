package dev.randomchat.web;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.support.ui.Select;

import dev.randomchat.support.ChatServer;
import dev.randomchat.support.MatchedPair;
import dev.randomchat.support.Moderation;
import dev.randomchat.support.WsClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator console in Chromium, on the management port of two servers: sign in, a report by
 * two strangers with its evidence, a ban that closes the guest's socket, lifting it, live numbers;
 * axe-core finds nothing wrong in any of these states.
 */
class ConsoleBrowserTests {

    /** Screenshots for people to look at: {@code target/screens}, or the folder {@code -Dscreens.dir} names. */
    private static final Path SCREENS = Path.of(System.getProperty("screens.dir", "target/screens"));

    @TempDir
    static Path uploads;

    private static ChatServer one;
    private static ChatServer two;

    @BeforeAll
    static void startServers() {
        Browser.assumeInstalled();
        String cluster = ChatServer.newCluster();
        Map<String, String> env = Map.of("ADMIN_TOKEN", Moderation.ADMIN_TOKEN, "UPLOAD_DIR", uploads.toString());
        one = ChatServer.start(cluster, env);
        two = ChatServer.start(cluster, env);
    }

    @AfterAll
    static void stopServers() {
        if (two != null) {
            two.close();
        }
        if (one != null) {
            one.close();
        }
    }

    @Test
    void anOperatorSignsInSeesAReportWithItsEvidenceBansAndLiftsAndWatchesTheLiveNumbers() throws IOException {
        try (Browser browser = Browser.desktop()) {
            browser.open(one.managementUri("/admin/").toString());
            browser.await("the sign-in form", driver -> browser.shown("#token"));
            assertAccessible(browser, "sign-in");

            signIn(browser, "not-the-admin-token-but-long-enough-to-try");
            browser.await("the refusal", driver -> browser.find("#sign-in-error").getText().contains("refused"));
            assertThat(browser.shown("#tabs")).isFalse();
            assertThat((String) browser.js("return sessionStorage.getItem('rc-admin-token');")).isNull();
            assertAccessible(browser, "refused sign-in");

            signIn(browser, Moderation.ADMIN_TOKEN);
            browser.await("the reports after sign-in", driver -> browser.shown("#reports") && browser.shown("#tabs"));
            assertThat(browser.driver().getCurrentUrl()).doesNotContain(Moderation.ADMIN_TOKEN);

            // Live: a fresh deployment has made no pairs; one pair moves the numbers.
            browser.find("[data-tab=live]").click();
            browser.await("the live numbers", driver -> !stat(browser, "servers").equals("–"));
            assertThat(stat(browser, "pairsPerMinute")).isEqualTo("0");
            try (MatchedPair pair = MatchedPair.match(one, two)) {
                browser.await("pairs per minute above 0", driver -> !stat(browser, "pairsPerMinute").equals("0"));
                browser.await("sockets open", driver -> Integer.parseInt(stat(browser, "socketsOpen")) >= 2);
                assertThat(stat(browser, "servers")).isEqualTo("2");
                browser.await("the chart's last minute with the pair's sockets", driver -> browser.shown("#chart svg")
                        && String.valueOf(browser.js("return document.querySelector('#chart svg').getAttribute('aria-label');"))
                                .contains("now 2"));
                assertAccessible(browser, "live");
                screenshot(browser, "console-live");
            }

            try (Moderation.Reported reported = Moderation.report(one, two, "abuse", "you are awful")) {
                browser.find("[data-tab=reports]").click();
                String item = "li[data-report-id]";
                browser.await("the report", driver -> browser.findAll(item).stream()
                        .anyMatch(li -> li.getText().contains(reported.reported().id())));
                WebElement report = browser.find(item);
                assertThat(report.getText()).contains("Abuse", "Bob", "Ada", "127.0.0.1", reported.reporter().id(),
                        "reported by a test");
                List<WebElement> messages = report.findElements(org.openqa.selenium.By.cssSelector(".conversation .msg"));
                assertThat(messages).hasSize(2);
                assertThat(messages.get(0).getText()).contains("Bob (reported)", "you are awful");
                WebElement thumb = report.findElement(org.openqa.selenium.By.cssSelector("button.thumb"));
                browser.await("the evidence image loaded", driver -> Boolean.TRUE.equals(browser.js(
                        "const img = document.querySelector('button.thumb img'); return img.complete && img.naturalWidth === 48;")));
                assertThat(thumb.getAttribute("aria-pressed")).isEqualTo("false");
                assertThat((String) browser.js("return getComputedStyle(document.querySelector('button.thumb img')).filter;"))
                        .contains("blur");
                assertAccessible(browser, "reports");
                screenshot(browser, "console-reports");
                thumb.click();
                assertThat(thumb.getAttribute("aria-pressed")).isEqualTo("true");
                browser.await("the image unblurred", driver -> "none".equals(
                        browser.js("return getComputedStyle(document.querySelector('button.thumb img')).filter;")));

                new Select(report.findElement(org.openqa.selenium.By.cssSelector(".actions select"))).selectByVisibleText("1 hour");
                report.findElement(org.openqa.selenium.By.cssSelector("[data-action=ban-guest]")).click();
                browser.await("the report left the open list", driver -> browser.findAll(item).isEmpty());
                browser.await("the ban announced", driver -> browser.find("#announce").getAttribute("textContent").contains("Guest banned"));
                assertThat(reported.reported().socket().awaitClose(WsClient.WAIT)).isEqualTo(4003);
                URI ws = two.wsUri();
                Map<String, String> auth = Map.of("Authorization", "Bearer " + reported.reported().token());
                assertThat(WsClient.upgradeStatus(ws, auth)).isEqualTo(403);
                assertAccessible(browser, "no open reports");

                browser.find("[data-tab=bans]").click();
                String row = "#ban-rows tr";
                browser.await("the ban listed", driver -> browser.findAll(row).stream()
                        .anyMatch(tr -> tr.getText().contains(reported.reported().id())));
                assertThat(browser.find(row).getText()).contains("Guest", "admin");
                assertAccessible(browser, "bans");
                screenshot(browser, "console-bans");

                browser.find(row + " button").click();
                browser.await("the ban lifted", driver -> browser.findAll(row).isEmpty() && browser.shown("#bans-empty"));
                assertThat(WsClient.upgradeStatus(ws, auth)).as("the guest is let back").isEqualTo(-1);
                assertAccessible(browser, "no bans");
            }

            browser.find("#sign-out").click();
            browser.await("signed out", driver -> browser.shown("#sign-in"));
            assertThat((String) browser.js("return sessionStorage.getItem('rc-admin-token');")).isNull();

            List<String> problems = browser.console().stream()
                    .filter(Browser::severeOrCsp)
                    .filter(entry -> !entry.getMessage().contains("401"))
                    .map(LogEntry::getMessage)
                    .toList();
            assertThat(problems).as("SEVERE console entries and CSP violations (the refused sign-in's 401 aside)").isEmpty();
        }
    }

    @Test
    void theConsoleIsNotOnThePublicPort() throws IOException {
        try (Browser browser = Browser.desktop()) {
            browser.open(one.uri("/admin/").toString());
            assertThat(browser.findAll("#sign-in-form")).isEmpty();
        }
    }

    private static void signIn(Browser browser, String token) {
        WebElement input = browser.find("#token");
        input.clear();
        input.sendKeys(token);
        browser.find("#sign-in-form button[type=submit]").click();
    }

    private static String stat(Browser browser, String name) {
        return browser.find("[data-stat=" + name + "]").getText();
    }

    private static void screenshot(Browser browser, String name) {
        try {
            Files.createDirectories(SCREENS);
            Files.write(SCREENS.resolve(name + ".png"), ((TakesScreenshot) browser.driver()).getScreenshotAs(OutputType.BYTES));
        }
        catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    /** axe-core (injected from the test class path, never served by the page) finds no violation. */
    private static void assertAccessible(Browser browser, String state) {
        assertThat(browser.axeViolations()).as("axe-core violations in the %s state", state).isEmpty();
    }
}
