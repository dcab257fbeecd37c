package dev.randomchat.system;

import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class IoThreadsTests {

    @Test
    void runsOneEventLoopPerCoreByDefault() {
        Properties properties = new Properties();
        IoThreads.apply(Map.of(), properties, 2);
        assertThat(properties.getProperty(IoThreads.PROPERTY)).isEqualTo("2");
    }

    @Test
    void takesTheVariableWhenSet() {
        Properties properties = new Properties();
        IoThreads.apply(Map.of("IO_THREADS", " 6 "), properties, 2);
        assertThat(properties.getProperty(IoThreads.PROPERTY)).isEqualTo("6");
    }

    @Test
    void leavesAnExplicitSystemPropertyAlone() {
        Properties properties = new Properties();
        properties.setProperty(IoThreads.PROPERTY, "3");
        IoThreads.apply(Map.of("IO_THREADS", "6"), properties, 2);
        assertThat(properties.getProperty(IoThreads.PROPERTY)).isEqualTo("3");
    }

    @Test
    void refusesAValueThatIsNotACountNamingTheVariable() {
        for (String bad : new String[] {"0", "-1", "four", "1.5", "257"}) {
            assertThatIllegalArgumentException()
                    .isThrownBy(() -> IoThreads.apply(Map.of("IO_THREADS", bad), new Properties(), 2))
                    .withMessageContaining("IO_THREADS");
        }
    }
}
