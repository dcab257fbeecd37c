package dev.randomchat.web;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedCondition;
import org.openqa.selenium.support.ui.WebDriverWait;

import dev.randomchat.support.ScratchDirs;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * One headless Chromium with its own profile, so each instance is a different guest (its own
 * rc_guest cookie and localStorage). Collects the browser console for the end-of-test checks.
 */
final class Browser implements AutoCloseable {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    /** Long enough for a busy 2-core machine running another build; every wait is bounded by it. */
    static final Duration WAIT = Duration.ofSeconds(30);

    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final ChromeDriver driver;
    private final ChromeDriverService service;
    private final Path profile;
    private final List<LogEntry> console = new ArrayList<>();

    private Browser(int width, int height, boolean phone, List<String> extraArguments) throws IOException {
        this.profile = Files.createTempDirectory("rc-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--lang=en-US",
                "--window-size=" + width + "," + height,
                "--user-data-dir=" + profile);
        options.addArguments(extraArguments);
        if (phone) {
            // Headless Chromium windows are at least 500 px wide: a phone needs device emulation,
            // which also makes it a touch device, `(pointer: coarse)` included.
            options.setExperimentalOption("mobileEmulation", Map.of("deviceMetrics",
                    Map.of("width", width, "height", height, "pixelRatio", 2.0, "touch", true, "mobile", true)));
        }
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        this.service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogOutput(OutputStream.nullOutputStream())
                .build();
        try {
            this.driver = new ChromeDriver(service, options);
        } catch (RuntimeException e) {
            service.stop();
            ScratchDirs.deleteTree(profile);
            throw e;
        }
        driver.manage().timeouts().pageLoadTimeout(WAIT);
        driver.manage().timeouts().scriptTimeout(WAIT);
        if (!phone) {
            fitViewport(width, height);
        }
    }

    /** --window-size is the outer size: grow the window until the page itself gets width x height. */
    private void fitViewport(int width, int height) {
        @SuppressWarnings("unchecked")
        List<Number> chrome = (List<Number>) js("return [outerWidth - innerWidth, outerHeight - innerHeight];");
        int extraWidth = chrome.get(0).intValue();
        int extraHeight = chrome.get(1).intValue();
        if (extraWidth != 0 || extraHeight != 0) {
            driver.manage().window().setSize(new Dimension(width + extraWidth, height + extraHeight));
        }
    }

    /** Skips the calling test (with the reason) on a machine without Debian's chromium. */
    static void assumeInstalled() {
        assumeTrue(Files.isExecutable(CHROMIUM),
                "browser tests skipped: " + CHROMIUM + " is missing (apt-get install chromium)");
        assumeTrue(Files.isExecutable(CHROMEDRIVER),
                "browser tests skipped: " + CHROMEDRIVER + " is missing (apt-get install chromium-driver)");
    }

    /** A 1280 x 800 page with a mouse and a keyboard. */
    static Browser desktop() throws IOException {
        return new Browser(1280, 800, false, List.of());
    }

    /** A page of this size (a touch screen when {@code phone}) with more Chromium flags (e.g. fake media devices). */
    static Browser withArguments(int width, int height, boolean phone, List<String> extraArguments) throws IOException {
        return new Browser(width, height, phone, extraArguments);
    }

    /** A 375 x 700 touch screen. */
    static Browser mobile() throws IOException {
        return new Browser(375, 700, true, List.of());
    }

    /** A 390 x 844 touch screen (a current phone, portrait). */
    static Browser phone() throws IOException {
        return new Browser(390, 844, true, List.of());
    }

    /** Whether the page sees a touch screen, where Enter makes a new line and Send sends. */
    boolean coarsePointer() {
        return Boolean.TRUE.equals(js("return matchMedia('(pointer: coarse)').matches;"));
    }

    WebDriver driver() {
        return driver;
    }

    void open(String url) {
        driver.get(url);
    }

    WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Runs a script that ends by calling its last argument with the result. */
    Object jsAsync(String script, Object... args) {
        return driver.executeAsyncScript(script, args);
    }

    <T> T await(ExpectedCondition<T> condition) {
        return await("a condition", condition);
    }

    <T> T await(String message, ExpectedCondition<T> condition) {
        return new WebDriverWait(driver, WAIT)
                .withMessage(() -> message + "; the page: " + describe())
                .until(condition);
    }

    /** What the page shows, for failure messages: screen, connection, pending bubbles, the log's tail. */
    String describe() {
        try {
            return String.valueOf(js("""
                    const log = [...document.querySelectorAll('#log > *')].slice(-6).map((e) => e.textContent.trim());
                    return JSON.stringify({
                      screen: document.body.dataset.screen,
                      connection: document.getElementById('conn-text').textContent,
                      ended: document.getElementById('ended-text').textContent,
                      focus: document.activeElement && (document.activeElement.id || document.activeElement.tagName),
                      pending: document.querySelectorAll('#log .msg.pending').length,
                      error: document.getElementById('home-error').textContent,
                      log,
                    });""")) + "; its console: " + console().stream()
                    .skip(Math.max(0, console().size() - 6))
                    .map(entry -> entry.getLevel() + " " + entry.getMessage())
                    .toList();
        } catch (RuntimeException e) {
            return "(unavailable: " + e.getClass().getSimpleName() + ")";
        }
    }

    /** Whether an element exists and has no [hidden] ancestor (CSS-visible, as the page toggles it). */
    boolean shown(String css) {
        return Boolean.TRUE.equals(js("""
                const el = document.querySelector(arguments[0]);
                return !!el && el.checkVisibility();""", css));
    }

    void screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(shot, SCREENSHOTS.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A Chrome DevTools Protocol command (network conditions, media emulation, permissions). */
    Map<String, Object> cdp(String command, Map<String, Object> parameters) {
        return driver.executeCdpCommand(command, parameters);
    }

    /** Cuts the browser's network (or gives it back), as the operating system would: `offline` fires. */
    void setOffline(boolean offline) {
        cdp("Network.enable", Map.of());
        Map<String, Object> conditions = Map.of(
                "offline", offline, "latency", 0, "downloadThroughput", -1, "uploadThroughput", -1);
        cdp("Network.emulateNetworkConditions", conditions);
        try {
            // Newer Chromium moved navigator.onLine (and the online/offline events) here.
            cdp("Network.overrideNetworkState", conditions);
        } catch (RuntimeException e) {
            // an older Chromium: emulateNetworkConditions did it all
        }
    }

    /** prefers-color-scheme as the page sees it: "light" or "dark". */
    void colorScheme(String scheme) {
        cdp("Emulation.setEmulatedMedia", Map.of("features", List.of(Map.of("name", "prefers-color-scheme", "value", scheme))));
    }

    /**
     * axe-core's violations on the page as it is now, one line each ("rule: target (summary)");
     * empty when there are none. axe is injected from the test class path, not served by the page.
     */
    @SuppressWarnings("unchecked")
    List<String> axeViolations() {
        if (!Boolean.TRUE.equals(js("return typeof window.axe === 'object';"))) {
            js(Axe.SOURCE);
        }
        Object result = jsAsync("""
                const done = arguments[arguments.length - 1];
                axe.run(document, { resultTypes: ['violations'] })
                  .then((r) => done(r.violations.map((v) => v.id + ': ' + v.nodes.map((n) =>
                      n.target.join(' ') + ' (' + (n.failureSummary || '').replace(/\\s+/g, ' ') + ')').join(', '))))
                  .catch((e) => done(['axe failed: ' + e]));""");
        return (List<String>) result;
    }

    /** axe.min.js (from the com.deque.html.axe-core:selenium jar), read once. */
    private static final class Axe {
        static final String SOURCE = read();

        private static String read() {
            try (InputStream in = Browser.class.getClassLoader().getResourceAsStream("axe.min.js")) {
                if (in == null) {
                    throw new IllegalStateException("axe.min.js is not on the test class path");
                }
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Console entries so far (drained from the driver and kept). */
    List<LogEntry> console() {
        driver.manage().logs().get(LogType.BROWSER).forEach(console::add);
        return List.copyOf(console);
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            service.stop();
            ScratchDirs.deleteTree(profile);
        }
    }

    /** A console entry a page must never log: an error, or a Content Security Policy violation. */
    static boolean severeOrCsp(LogEntry entry) {
        return entry.getLevel().intValue() >= Level.SEVERE.intValue()
                || entry.getMessage().contains("Content Security Policy")
                || entry.getMessage().contains("Content-Security-Policy");
    }
}
