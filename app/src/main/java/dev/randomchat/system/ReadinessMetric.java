package dev.randomchat.system;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.stereotype.Component;

/**
 * {@code chat_ready}: 1 while this server takes traffic (accepting, and connected to Redis), as its
 * readiness probe would say, so Prometheus can alert when no server of a deployment is ready.
 * Read at scrape time from state already held in memory: no Redis call.
 */
@Component
class ReadinessMetric {

    ReadinessMetric(MeterRegistry meters, ApplicationAvailability availability, Redis redis) {
        Gauge.builder("chat.ready", () -> ready(availability, redis) ? 1 : 0)
                .description("1 while this server is ready for traffic (accepting and connected to Redis)")
                .register(meters);
    }

    private static boolean ready(ApplicationAvailability availability, Redis redis) {
        return availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC && redis.connected();
    }
}
