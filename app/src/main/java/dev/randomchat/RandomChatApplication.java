package dev.randomchat;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

import dev.randomchat.system.IoThreads;
import dev.randomchat.system.WriterPrefetch;

/**
 * A real-time random-matching chat: stateless WebFlux servers, Redis for the queue, the channels
 * and the events between servers, an object store for uploads.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class RandomChatApplication {

    public static void main(String[] args) {
        try {
            IoThreads.apply(System.getenv(), System.getProperties(), Runtime.getRuntime().availableProcessors());
        }
        catch (IllegalArgumentException ex) {
            System.err.println("The server did not start: " + ex.getMessage());
            System.exit(1);
        }
        WriterPrefetch.apply(System.getProperties());
        SpringApplication.run(RandomChatApplication.class, args);
    }
}
