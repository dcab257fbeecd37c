package dev.randomchat.upload;

import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Uploads.
 *
 * @param maxUploadBytes {@code MAX_UPLOAD_BYTES}: largest file accepted
 * @param minioEndpoint {@code MINIO_ENDPOINT}: the S3-compatible store, e.g. {@code http://minio:9000};
 *        empty keeps files in {@code localDir}
 * @param minioAccessKey {@code MINIO_ACCESS_KEY}
 * @param minioSecretKey {@code MINIO_SECRET_KEY}
 * @param minioBucket {@code MINIO_BUCKET}: created private on start-up when missing
 * @param localDir {@code UPLOAD_DIR}: the folder of the embedded default
 */
@Validated
@ConfigurationProperties("chat.upload")
public record UploadProperties(@Min(value = 1, message = "MAX_UPLOAD_BYTES must be at least 1") long maxUploadBytes, String minioEndpoint, String minioAccessKey,
        String minioSecretKey, @NotBlank(message = "MINIO_BUCKET must not be empty") String minioBucket, @NotBlank(message = "UPLOAD_DIR must not be empty") String localDir) {

    public UploadProperties {
        minioEndpoint = minioEndpoint == null ? "" : minioEndpoint.trim();
        minioAccessKey = minioAccessKey == null ? "" : minioAccessKey;
        minioSecretKey = minioSecretKey == null ? "" : minioSecretKey;
    }

    public boolean local() {
        return minioEndpoint.isEmpty();
    }
}
