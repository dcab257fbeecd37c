package dev.randomchat.upload;

import java.nio.file.Path;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Picks the file store: MinIO when {@code MINIO_ENDPOINT} is set, else the local folder {@code UPLOAD_DIR}. */
@Configuration(proxyBeanMethods = false)
class UploadConfiguration {

    private static final Logger log = LoggerFactory.getLogger(UploadConfiguration.class);

    @Bean
    FileStore fileStore(UploadProperties properties, JsonMapper json) {
        FileStore store;
        if (properties.local()) {
            store = new LocalFileStore(Path.of(properties.localDir()), json);
            log.info("File uploads: {} (MINIO_ENDPOINT is empty), at most {} bytes each", store.describe(),
                    properties.maxUploadBytes());
        }
        else {
            MinioFileStore minio = new MinioFileStore(properties.minioEndpoint(), properties.minioAccessKey(),
                    properties.minioSecretKey(), properties.minioBucket());
            minio.prepare();
            store = minio;
            log.info("File uploads: {}, at most {} bytes each", store.describe(), properties.maxUploadBytes());
        }
        return store;
    }
}
