package dev.randomchat.chat;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import dev.randomchat.auth.Guest;
import dev.randomchat.protocol.Client;
import dev.randomchat.protocol.CloseCode;
import dev.randomchat.protocol.FrameException;

import static org.assertj.core.api.Assertions.assertThat;

/** One socket's message stream: in seq order, no gap, no duplicate, whatever order events come in. */
class AttachmentTests {

    private final RecordingClient client = new RecordingClient();

    @Test
    void writesAReplayThenJoinedThenLiveMessagesSkippingWhatTheReplayAlreadyHad() {
        Attachment attachment = new Attachment(client, "c1", 0);
        // Live messages arrive while the join's page is being read: held, not written.
        attachment.live(2, message(2));
        attachment.live(3, message(3));
        assertThat(client.frames).isEmpty();

        attachment.page(List.of(message(1), message(2)), 1);
        boolean live = attachment.goLiveIfCaughtUp(2, false, () -> client.sendJson("joined"));
        attachment.live(3, message(3));
        attachment.live(4, message(4));

        assertThat(live).isTrue();
        assertThat(client.frames).containsExactly(message(1), message(2), "joined", message(3), message(4));
    }

    @Test
    void aPageOverlappingWhatWasWrittenWritesOnlyTheNewMessages() {
        Attachment attachment = new Attachment(client, "c1", 0);
        attachment.liveFrom(0, () -> { });
        attachment.live(1, message(1));
        attachment.live(2, message(2));
        attachment.requestCatchUp();
        assertThat(attachment.beginCatchUp()).isTrue();

        attachment.page(List.of(message(1), message(2), message(3)), 1);

        assertThat(client.frames).containsExactly(message(1), message(2), message(3));
        assertThat(attachment.lastSent()).isEqualTo(3);
    }

    @Test
    void aLiveMessageAfterAGapIsHeldUntilTheLogFillsTheGap() {
        Attachment attachment = new Attachment(client, "c1", 0);
        attachment.liveFrom(0, () -> { });
        attachment.live(1, message(1));
        attachment.live(3, message(3));

        assertThat(client.frames).containsExactly(message(1));
        assertThat(attachment.catchUpNeeded()).isTrue();

        assertThat(attachment.beginCatchUp()).isTrue();
        attachment.page(List.of(message(2)), 2);
        assertThat(attachment.goLiveIfCaughtUp(2, false, () -> { })).isTrue();

        assertThat(client.frames).containsExactly(message(1), message(2), message(3));
        assertThat(attachment.catchUpNeeded()).isFalse();
    }

    @Test
    void liveMessagesOverTheBufferDuringAJoinAreReadFromTheLogByOneMorePage() {
        Attachment attachment = new Attachment(client, "c1", 0);
        String padding = "x".repeat(25 * 1024);
        // Two fit in the 64 K characters held during a join; the third is dropped.
        attachment.live(1, message(1, padding));
        attachment.live(2, message(2, padding));
        attachment.live(3, message(3, padding));

        attachment.page(List.of(message(1, padding), message(2, padding)), 1);
        boolean liveAfterFirstPage = attachment.goLiveIfCaughtUp(2, false, () -> client.sendJson("joined"));
        attachment.page(List.of(message(3, padding)), 3);
        boolean liveAfterSecondPage = attachment.goLiveIfCaughtUp(3, false, () -> client.sendJson("joined"));

        assertThat(liveAfterFirstPage).isFalse();
        assertThat(liveAfterSecondPage).isTrue();
        assertThat(client.frames).containsExactly(message(1, padding), message(2, padding), message(3, padding), "joined");
    }

    @Test
    void aDetachedAttachmentWritesNothing() {
        Attachment attachment = new Attachment(client, "c1", 0);
        attachment.liveFrom(0, () -> { });
        attachment.detach();

        attachment.live(1, message(1));
        attachment.page(List.of(message(1)), 1);

        assertThat(client.frames).isEmpty();
        assertThat(attachment.catchUpNeeded()).isFalse();
    }

    private static String message(long seq) {
        return message(seq, "hi");
    }

    private static String message(long seq, String text) {
        return "{\"type\":\"message\",\"channelId\":\"c1\",\"seq\":" + seq + ",\"cmid\":\"m" + seq
                + "\",\"from\":\"g1\",\"text\":\"" + text + "\"}";
    }

    /** A socket that keeps what is written to it, always open and with room. */
    private static final class RecordingClient implements Client {

        final List<String> frames = new CopyOnWriteArrayList<>();

        @Override
        public String id() {
            return "s1";
        }

        @Override
        public String ip() {
            return "127.0.0.1";
        }

        @Override
        public Guest guest() {
            return new Guest("g1", "Ada");
        }

        @Override
        public boolean send(Object frame) {
            return frames.add(frame.toString());
        }

        @Override
        public boolean sendJson(String frame) {
            return frames.add(frame);
        }

        @Override
        public boolean sendDroppable(String frame) {
            return frames.add(frame);
        }

        @Override
        public void error(FrameException ex) {
            frames.add("error " + ex.code());
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close(CloseCode code) {
        }

        @Override
        public boolean hasRoom() {
            return true;
        }

        @Override
        public int replayPageBytes() {
            return 64 * 1024;
        }

        @Override
        public Mono<Void> room() {
            return Mono.empty();
        }
    }
}
