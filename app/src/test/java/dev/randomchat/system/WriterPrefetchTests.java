package dev.randomchat.system;

import java.util.Properties;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class WriterPrefetchTests {

    @Test
    void asksForSixteenFramesAheadByDefault() {
        Properties properties = new Properties();
        WriterPrefetch.apply(properties);
        assertThat(properties.getProperty("reactor.netty.send.maxPrefetchSize")).isEqualTo("16");
    }

    @Test
    void leavesAnExplicitSystemPropertyAlone() {
        Properties properties = new Properties();
        properties.setProperty("reactor.netty.send.maxPrefetchSize", "64");
        WriterPrefetch.apply(properties);
        assertThat(properties.getProperty("reactor.netty.send.maxPrefetchSize")).isEqualTo("64");
    }
}
