package dev.randomchat;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * A real-time random-matching chat: stateless WebFlux servers, Redis for the queue, the channels
 * and the events between servers, an object store for uploads.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
@EnableScheduling
public class RandomChatApplication {

    public static void main(String[] args) {
        SpringApplication.run(RandomChatApplication.class, args);
    }
}
