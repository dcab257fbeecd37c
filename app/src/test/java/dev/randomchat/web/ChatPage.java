package dev.randomchat.web;

import java.nio.file.Path;
import java.util.List;

import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/** What a visitor does on the page, in the page's own words (ids, labels, visible text). */
final class ChatPage {

    private final Browser browser;
    private final String baseUrl;

    ChatPage(Browser browser, String baseUrl) {
        this.browser = browser;
        this.baseUrl = baseUrl;
    }

    Browser browser() {
        return browser;
    }

    ChatPage open() {
        browser.open(baseUrl);
        browser.await("the home screen", d -> browser.shown("#screen-home") || browser.shown("#screen-chat"));
        return this;
    }

    ChatPage fillHome(String name, String interests) {
        WebElement nameField = browser.find("#name");
        nameField.clear();
        nameField.sendKeys(name);
        WebElement interestsField = browser.find("#interests");
        interestsField.clear();
        if (interests != null) {
            interestsField.sendKeys(interests);
        }
        return this;
    }

    /** Presses Start and waits until the page is looking for a stranger (or already matched). */
    ChatPage start() {
        browser.find("#start").click();
        browser.await("the waiting screen after Start",
                d -> browser.shown("#screen-waiting") || browser.shown("#screen-chat"));
        return this;
    }

    ChatPage awaitChat() {
        browser.await("the chat screen", d -> browser.shown("#screen-chat"));
        browser.await("a connected socket", d -> "connected".equals(browser.find("#conn").getAttribute("data-state")));
        return this;
    }

    /** This visitor's guest id, as the server knows it (GET /api/guests/me with the page's cookie). */
    String guestId() {
        return (String) browser.jsAsync("""
                const done = arguments[arguments.length - 1];
                fetch('/api/guests/me').then((r) => r.json()).then((me) => done(me.id));""");
    }

    String peerName() {
        return browser.find("#peer-name").getText();
    }

    /** Types into the message box; nothing is sent yet. */
    ChatPage type(String text) {
        browser.find("#message").sendKeys(text);
        return this;
    }

    /** Types a message and sends it: Enter on a desktop, the Send button on a touch screen. */
    ChatPage send(String text) {
        WebElement box = browser.find("#message");
        box.sendKeys(text);
        if (browser.coarsePointer()) {
            browser.find("#send").click();
        } else {
            box.sendKeys(Keys.ENTER);
        }
        return this;
    }

    ChatPage attach(Path file) {
        browser.find("#file").sendKeys(file.toAbsolutePath().toString());
        return this;
    }

    /** Texts of the peer's messages in the log (without the screen reader prefix). */
    List<String> peerTexts() {
        return texts(".msg.theirs");
    }

    List<String> myTexts() {
        return texts(".msg.mine");
    }

    @SuppressWarnings("unchecked")
    private List<String> texts(String selector) {
        return (List<String>) browser.js("""
                return [...document.querySelectorAll('#log ' + arguments[0] + ' .bubble')].map((b) => {
                  const copy = b.cloneNode(true);
                  copy.querySelectorAll('.visually-hidden').forEach((e) => e.remove());
                  return copy.textContent;
                });""", selector);
    }

    long countPeerMessagesWith(String text) {
        return peerTexts().stream().filter(t -> t.equals(text)).count();
    }

    ChatPage awaitPeerMessage(String text) {
        browser.await("the peer's message \"" + text + "\"", d -> peerTexts().contains(text));
        return this;
    }

    ChatPage awaitNothingPending() {
        browser.await("every own message acknowledged", d -> browser.findAll("#log .msg.pending").isEmpty());
        return this;
    }

    boolean typingShown() {
        return browser.shown("#typing");
    }

    /** Leave, then confirm in the dialog (`leave-confirm` or `leave-block`). */
    ChatPage leave(boolean block) {
        browser.find("#leave").click();
        browser.await("the leave dialog", d -> browser.find("#leave-dialog").isDisplayed());
        browser.find(block ? "#leave-block" : "#leave-confirm").click();
        return this;
    }

    ChatPage report(String reason, String note) {
        browser.find("#report").click();
        browser.await("the report dialog", d -> browser.find("#report-dialog").isDisplayed());
        browser.find("#report-form input[name='reason'][value='" + reason + "']").click();
        if (note != null) {
            browser.find("#report-note").sendKeys(note);
        }
        browser.find("#report-send").click();
        return this;
    }

    /** Report after the chat ended, from the end bar; waits for the answer. */
    ChatPage reportAfterTheEnd(String reason) {
        browser.find("#report-after").click();
        browser.await("the report dialog", d -> browser.find("#report-dialog").isDisplayed());
        Object checked = browser.js("return document.querySelectorAll('#report-form input[name=reason]:checked').length;");
        if (((Number) checked).intValue() != 0) {
            throw new AssertionError("a report reason was pre-selected");
        }
        browser.find("#report-form input[name='reason'][value='" + reason + "']").click();
        browser.find("#report-send").click();
        browser.await("the report acknowledged", d -> browser.find("#report-after").getText().equals("Reported"));
        return this;
    }

    /** Block after the chat ended, from the end bar; waits for the answer. */
    ChatPage blockAfterTheEnd() {
        browser.find("#block").click();
        browser.await("the block acknowledged", d -> browser.find("#block").getText().equals("Blocked"));
        return this;
    }

    /** The id of the focused element ("" for none or an element without id). */
    String focusedId() {
        return String.valueOf(browser.js("return document.activeElement ? document.activeElement.id : '';"));
    }

    String connectionState() {
        return browser.find("#conn").getAttribute("data-state");
    }

    /** Waits for the end-of-chat banner and returns its text. */
    String awaitEnded() {
        browser.await("the end of the chat", d -> browser.shown("#ended"));
        return browser.find("#ended-text").getText();
    }
}
