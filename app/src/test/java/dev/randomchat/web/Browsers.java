package dev.randomchat.web;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.logging.LogEntry;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The browsers one test opened, registered as an instance {@code @RegisterExtension}. After each
 * test every browser's console must be clean (by default: no SEVERE entry and no Content Security
 * Policy violation, but for the errors the test said to expect); then all of them are closed,
 * whether the check passed or not.
 */
final class Browsers implements AfterEachCallback {

    private final Supplier<String> baseUrl;
    private final Predicate<LogEntry> problem;
    private final String problems;
    private final List<Browser> open = new ArrayList<>();
    /** Console errors the running test expects (e.g. failed reconnects while the network is down). */
    private Predicate<String> expectedErrors = message -> false;

    /** Pages open {@code baseUrl} (asked when a page is made, so a server started later is fine). */
    Browsers(Supplier<String> baseUrl) {
        this(baseUrl, Browser::severeOrCsp, "SEVERE console entries and CSP violations");
    }

    /** Pages open {@code baseUrl}; a console entry that matches {@code problem} fails the test. */
    Browsers(Supplier<String> baseUrl, Predicate<LogEntry> problem, String problems) {
        this.baseUrl = baseUrl;
        this.problem = problem;
        this.problems = problems;
    }

    Browser desktop() throws IOException {
        return track(Browser.desktop());
    }

    Browser phone() throws IOException {
        return track(Browser.phone());
    }

    Browser mobile() throws IOException {
        return track(Browser.mobile());
    }

    /** A page of the test's base URL in {@code browser}, which is checked and closed after the test. */
    ChatPage page(Browser browser) {
        if (!open.contains(browser)) {
            track(browser);
        }
        return new ChatPage(browser, baseUrl.get());
    }

    /** Two strangers who start from the home page and are paired with each other. */
    ChatPage[] pair(Browser first, String nameA, String interestsA, Browser second, String nameB, String interestsB) {
        ChatPage a = page(first);
        ChatPage b = page(second);
        a.open().fillHome(nameA, interestsA).start();
        b.open().fillHome(nameB, interestsB).start();
        a.awaitChat();
        b.awaitChat();
        assertThat(a.peerName()).isEqualTo(nameB);
        assertThat(b.peerName()).isEqualTo(nameA);
        return new ChatPage[] {a, b};
    }

    /** Console errors matching {@code expected} are part of this test (e.g. reconnects while offline). */
    void expectErrors(Predicate<String> expected) {
        this.expectedErrors = expected;
    }

    /** Closes a browser now (a stranger who closes the tab); its console is not checked. */
    void close(Browser browser) {
        browser.close();
        open.remove(browser);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        assertConsolesCleanThenClose();
    }

    /** The after-test check, for a test that must make it earlier (while its own server still runs). */
    void assertConsolesCleanThenClose() {
        try {
            for (Browser browser : open) {
                List<String> found = browser.console().stream()
                        .filter(problem)
                        .map(LogEntry::getMessage)
                        .filter(expectedErrors.negate())
                        .toList();
                assertThat(found).as(problems).isEmpty();
            }
        }
        finally {
            open.forEach(Browser::close);
            open.clear();
        }
    }

    private Browser track(Browser browser) {
        open.add(browser);
        return browser;
    }
}
