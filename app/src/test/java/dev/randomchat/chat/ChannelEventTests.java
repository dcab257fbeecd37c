package dev.randomchat.chat;

import org.junit.jupiter.api.Test;

import dev.randomchat.chat.ChannelEvent.Kind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class ChannelEventTests {

    @Test
    void readsTheFirstThreeFieldsAndLeavesBarsInTheFrame() {
        ChannelEvent event = ChannelEvent.parse("m|42|g1|{\"text\":\"a|b\"}");

        assertThat(event).isEqualTo(new ChannelEvent(Kind.MESSAGE, 42, "g1", "{\"text\":\"a|b\"}"));
    }

    @Test
    void encodesWhatItParses() {
        String typing = "t|0|g1|" + ChannelFrames.typing("g1", true);

        assertThat(ChannelEvent.parse(typing).encode()).isEqualTo(typing);
    }

    @Test
    void peerEventsSkipTheirOwnGuestButServerEventsReachEveryone() {
        assertThat(ChannelEvent.parse("o|0|g1|{}").isFor("g1")).isFalse();
        assertThat(ChannelEvent.parse("o|0|g1|{}").isFor("g2")).isTrue();
        assertThat(ChannelEvent.parse("s|0||{}").isFor("g1")).isTrue();
        assertThat(ChannelEvent.parse("m|1|g1|{}").isFor("g1")).isTrue();
        assertThat(ChannelEvent.parse("e|0|g1|{}").isFor("g1")).isTrue();
    }

    @Test
    void refusesWhatIsNotAnEvent() {
        assertThatIllegalArgumentException().isThrownBy(() -> ChannelEvent.parse("x|0|g1|{}"));
        assertThatIllegalArgumentException().isThrownBy(() -> ChannelEvent.parse("m|1"));
    }
}
