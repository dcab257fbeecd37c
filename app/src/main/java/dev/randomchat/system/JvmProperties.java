package dev.randomchat.system;

import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * How the server handles its own JVM.
 *
 * @param heapHeadroom {@code HEAP_HEADROOM}: {@code true} (the default) lets ZGC's soft heap limit
 *        follow the allocation rate ({@link HeapHeadroom}); {@code false} keeps the one the JVM
 *        was started with
 */
@ConfigurationProperties("chat.jvm")
public record JvmProperties(String heapHeadroom) {

    public JvmProperties {
        heapHeadroom = heapHeadroom == null ? "true" : heapHeadroom.trim();
        if (!heapHeadroom.equals("true") && !heapHeadroom.equals("false")) {
            throw new IllegalArgumentException("HEAP_HEADROOM must be true or false, not " + heapHeadroom);
        }
    }

    boolean headroom() {
        return heapHeadroom.equals("true");
    }
}
