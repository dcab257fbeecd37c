package dev.randomchat.upload;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.minio.BucketExistsArgs;
import io.minio.GetObjectArgs;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.ObjectWriteArgs;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.RemoveObjectsArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.http.HttpUtils;
import io.minio.messages.DeleteError;
import io.minio.messages.DeleteObject;
import io.minio.messages.Item;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Schedulers;

import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;

/**
 * Files in a private MinIO (or any S3) bucket, created on start-up when missing and never given a
 * policy, so nothing in it is readable without our credentials; browsers get files only through
 * the server's signed URLs. The name travels as user metadata ({@code x-amz-meta-name}, URL-encoded
 * UTF-8), the sniffed type as the object's Content-Type.
 *
 * <p>The SDK's client is blocking: every call runs on {@code boundedElastic}. For a stream of
 * unknown length the SDK buffers one part (5 MiB, the S3 minimum) in memory before sending it, so an
 * upload holds at most that much heap whatever {@code MAX_UPLOAD_BYTES} is.
 */
final class MinioFileStore extends BlockingFileStore implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(MinioFileStore.class);

    /** A store that does not accept a connection within this is down; answer 503 rather than hang. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    /** A stalled transfer gives up after this; an upload's parts are small and local. */
    private static final Duration IO_TIMEOUT = Duration.ofSeconds(30);
    /** Part size for streams of unknown length; the SDK keeps one part in memory. */
    private static final long PART_SIZE = ObjectWriteArgs.MIN_MULTIPART_SIZE;
    /** Read size for downloads: large enough for few calls, small enough to keep memory flat. */
    private static final int READ_CHUNK = 64 * 1024;
    private static final String NAME = "name";

    private final MinioClient client;
    private final String endpoint;
    private final String bucket;
    private volatile boolean bucketReady;

    MinioFileStore(String endpoint, String accessKey, String secretKey, String bucket) {
        this.endpoint = endpoint;
        this.bucket = bucket;
        this.client = MinioClient.builder()
                .endpoint(endpoint)
                .credentials(accessKey, secretKey)
                .httpClient(HttpUtils.newDefaultHttpClient(CONNECT_TIMEOUT.toMillis(), IO_TIMEOUT.toMillis(),
                        IO_TIMEOUT.toMillis()), true)
                .build();
    }

    /**
     * Creates the bucket when it is missing. Called once on start-up, off any event loop; a store
     * that is down then is only logged: uploads answer 503 and retry this until it succeeds.
     */
    void prepare() {
        try {
            ensureBucket();
        }
        catch (StorageException ex) {
            log.warn("MinIO at {} is not reachable yet ({}); uploads answer 503 until it is", endpoint,
                    rootCause(ex));
        }
    }

    @Override
    public String describe() {
        return "MinIO at " + endpoint + ", private bucket " + bucket;
    }

    @Override
    public void close() throws Exception {
        client.close();
    }

    private void ensureBucket() {
        if (bucketReady) {
            return;
        }
        try {
            if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                log.info("Created the private bucket {} at {}", bucket, endpoint);
            }
            bucketReady = true;
        }
        catch (ErrorResponseException ex) {
            if ("BucketAlreadyOwnedByYou".equals(ex.errorResponse().code())) {
                bucketReady = true;
                return;
            }
            throw new StorageException("cannot create the bucket " + bucket, ex);
        }
        catch (Exception ex) {
            throw new StorageException("cannot reach the bucket " + bucket, ex);
        }
    }

    @Override
    long write(String key, InputStream content, long length, FileMeta meta) {
        FileKeys.split(key);
        ensureBucket();
        Counting counted = new Counting(content);
        try {
            client.putObject(PutObjectArgs.builder()
                    .bucket(bucket)
                    .object(key)
                    .stream(counted, length, length < 0 ? PART_SIZE : -1)
                    .contentType(meta.contentType())
                    .userMetadata(Map.of(NAME, URLEncoder.encode(meta.name(), StandardCharsets.UTF_8)))
                    .build());
            return counted.count;
        }
        catch (Exception ex) {
            removeQuietly(key);
            throw new StorageException("cannot store " + key, ex);
        }
    }

    @Override
    StoredFile find(String key) {
        StatObjectResponse stat = stat(key);
        return stat == null ? null : new StoredFile(meta(stat), stat.size(), read(key));
    }

    @Override
    void removeChannel(String channelId) {
        removeAll(FileKeys.prefix(channelId));
    }

    private StatObjectResponse stat(String key) {
        FileKeys.split(key);
        try {
            return client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build());
        }
        catch (ErrorResponseException ex) {
            if (missing(ex)) {
                return null;
            }
            throw new StorageException("cannot read " + key, ex);
        }
        catch (Exception ex) {
            throw new StorageException("cannot read " + key, ex);
        }
    }

    /**
     * The object's bytes, fetched only when subscribed (so an unsent response never holds a
     * connection to the store) and read on {@code boundedElastic}.
     */
    private Flux<DataBuffer> read(String key) {
        return DataBufferUtils.readInputStream(() -> client.getObject(GetObjectArgs.builder()
                                .bucket(bucket)
                                .object(key)
                                .build()),
                        DefaultDataBufferFactory.sharedInstance, READ_CHUNK)
                .subscribeOn(Schedulers.boundedElastic());
    }

    private static FileMeta meta(StatObjectResponse stat) {
        String name = stat.userMetadata().get(NAME);
        String contentType = stat.contentType();
        return new FileMeta(name == null ? "file" : URLDecoder.decode(name, StandardCharsets.UTF_8),
                contentType == null ? ContentSniffer.UNKNOWN : contentType);
    }

    @Override
    void remove(String key) {
        FileKeys.split(key);
        try {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
        }
        catch (Exception ex) {
            throw new StorageException("cannot delete " + key, ex);
        }
    }

    private void removeQuietly(String key) {
        try {
            remove(key);
        }
        catch (StorageException ex) {
            log.debug("could not remove the partial upload {}: {}", key, rootCause(ex));
        }
    }

    private void removeAll(String prefix) {
        try {
            List<DeleteObject> objects = new ArrayList<>();
            for (Result<Item> item : client.listObjects(ListObjectsArgs.builder()
                    .bucket(bucket)
                    .prefix(prefix)
                    .recursive(true)
                    .build())) {
                objects.add(new DeleteObject(item.get().objectName()));
            }
            if (objects.isEmpty()) {
                return;
            }
            // The deletions happen as the results are read.
            for (Result<DeleteError> failed : client.removeObjects(RemoveObjectsArgs.builder()
                    .bucket(bucket)
                    .objects(objects)
                    .build())) {
                DeleteError error = failed.get();
                throw new StorageException("cannot delete " + error.objectName() + ": " + error.code(), null);
            }
        }
        catch (ErrorResponseException ex) {
            if (!missing(ex)) {
                throw new StorageException("cannot delete the files under " + prefix, ex);
            }
        }
        catch (StorageException ex) {
            throw ex;
        }
        catch (Exception ex) {
            throw new StorageException("cannot delete the files under " + prefix, ex);
        }
    }

    @Override
    List<String> listChannels() {
        try {
            List<String> channels = new ArrayList<>();
            for (Result<Item> result : client.listObjects(ListObjectsArgs.builder()
                    .bucket(bucket)
                    .recursive(false)
                    .build())) {
                Item item = result.get();
                String name = item.objectName();
                if (item.isDir() && name.endsWith("/") && FileKeys.validId(name.substring(0, name.length() - 1))) {
                    channels.add(name.substring(0, name.length() - 1));
                }
            }
            return channels;
        }
        catch (Exception ex) {
            throw new StorageException("cannot list the bucket " + bucket, ex);
        }
    }

    private static boolean missing(ErrorResponseException ex) {
        String code = ex.errorResponse().code();
        return "NoSuchKey".equals(code) || "NoSuchBucket".equals(code) || "ResourceNotFound".equals(code)
                || ex.response() != null && ex.response().code() == 404;
    }

    static String rootCause(Throwable ex) {
        Throwable cause = ex;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
    }

    /** Counts what the SDK read, which is what it stored. */
    private static final class Counting extends FilterInputStream {

        private long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
