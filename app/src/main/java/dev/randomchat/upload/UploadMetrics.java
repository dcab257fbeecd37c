package dev.randomchat.upload;

import io.lettuce.core.RedisException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;

import org.springframework.stereotype.Component;

import dev.randomchat.system.ApiException;

/**
 * {@code chat.uploads} (files stored), {@code chat.upload.bytes} (their sizes) and
 * {@code chat.upload.rejected} (refused uploads, tagged by {@code reason}).
 */
@Component
class UploadMetrics {

    private final MeterRegistry meters;
    private final Counter uploads;
    private final DistributionSummary bytes;

    UploadMetrics(MeterRegistry meters) {
        this.meters = meters;
        this.uploads = Counter.builder("chat.uploads").description("Files uploaded and stored").register(meters);
        this.bytes = DistributionSummary.builder("chat.upload.bytes").baseUnit("bytes")
                .description("Sizes of the files stored").register(meters);
    }

    void stored(UploadedFile file) {
        uploads.increment();
        bytes.record(file.size());
    }

    void rejected(Throwable ex) {
        Counter.builder("chat.upload.rejected")
                .description("Uploads refused, by reason")
                .tag("reason", reason(ex))
                .register(meters)
                .increment();
    }

    private static String reason(Throwable ex) {
        if (ex instanceof UploadRejection rejection) {
            return rejection.reason();
        }
        if (ex instanceof ApiException api) {
            return switch (api.status().value()) {
                case 401 -> "unauthorized";
                case 403 -> "forbidden";
                default -> "bad_request";
            };
        }
        return ex instanceof RedisException ? "redis_unavailable" : "error";
    }
}
