package dev.randomchat.system;

import org.springframework.stereotype.Component;

/** This process's random id: names its leases and presence entries and its event topic in Redis. */
@Component
public class ServerId {

    private final String value = RandomIds.next();

    public String value() {
        return value;
    }
}
