package dev.randomchat.support;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import io.minio.ListObjectsArgs;
import io.minio.MinioClient;
import io.minio.Result;
import io.minio.messages.Item;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.testcontainers.containers.MinIOContainer;

/**
 * An S3 endpoint for tests: a MinIO container when a Docker engine answers and holds the local image
 * named by TEST_MINIO_IMAGE (nothing is pulled), otherwise an in-process s3proxy over its transient
 * (in-memory) store. {@link #shared()} is started once per JVM; tests
 * that stop their store ({@link #start()}, {@link #stop()}) get one of their own. Each server under
 * test should use its own bucket ({@link #newBucket()}).
 */
public final class TestS3 implements AutoCloseable {

    public static final String ACCESS_KEY = "rctestaccess";
    public static final String SECRET_KEY = "rctestsecret0123456789";
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static TestS3 shared;

    private final String endpoint;
    private final String kind;
    private final Runnable stopper;

    private TestS3(String endpoint, String kind, Runnable stopper) {
        this.endpoint = endpoint;
        this.kind = kind;
        this.stopper = stopper;
    }

    /** The one store most tests share; stopped when the JVM exits. */
    public static synchronized TestS3 shared() {
        if (shared == null) {
            shared = start();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::stop));
        }
        return shared;
    }

    /** A store of the caller's own, which the caller stops. */
    public static TestS3 start() {
        // MinIO only from a local image (nothing is pulled): TEST_MINIO_IMAGE, when Docker has it.
        Optional<String> minio = Optional.ofNullable(System.getenv("TEST_MINIO_IMAGE")).flatMap(TestRedis::localImage);
        TestS3 s3 = minio.isPresent() ? minio(minio.get()) : s3proxy();
        System.out.println("[test infrastructure] S3: " + s3.kind + " at " + s3.endpoint);
        return s3;
    }

    /** A bucket name no other test uses (the server creates it). */
    public static String newBucket() {
        return "rc-test-" + ProcessHandle.current().pid() + "-" + BUCKETS.incrementAndGet();
    }

    private static TestS3 minio(String image) {
        MinIOContainer container = new MinIOContainer(image)
                .withUserName(ACCESS_KEY)
                .withPassword(SECRET_KEY);
        container.start();
        return new TestS3(container.getS3URL(), "Testcontainers, local image " + image, container::stop);
    }

    private static TestS3 s3proxy() {
        Properties properties = new Properties();
        properties.setProperty("jclouds.identity", ACCESS_KEY);
        properties.setProperty("jclouds.credential", SECRET_KEY);
        BlobStore blobs = BlobStores.create("transient", properties);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(blobs)
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .stopTimeout(0)
                .build();
        try {
            proxy.start();
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("s3proxy did not start within 10 s: " + proxy.getState());
                }
                Thread.sleep(10);
            }
        }
        catch (Exception ex) {
            throw new IllegalStateException("cannot start s3proxy", ex);
        }
        return new TestS3("http://127.0.0.1:" + proxy.getPort(), "in-process s3proxy (transient; no local MinIO image in TEST_MINIO_IMAGE)",
                () -> {
                    try {
                        proxy.stop();
                    }
                    catch (Exception ex) {
                        throw new IllegalStateException("cannot stop s3proxy", ex);
                    }
                });
    }

    public String endpoint() {
        return endpoint;
    }

    /** The environment a server needs to store its files here, in {@code bucket}. */
    public Map<String, String> env(String bucket) {
        return Map.of("MINIO_ENDPOINT", endpoint, "MINIO_ACCESS_KEY", ACCESS_KEY, "MINIO_SECRET_KEY", SECRET_KEY,
                "MINIO_BUCKET", bucket);
    }

    /** A client of its own, to look into buckets from the outside. */
    public MinioClient client() {
        return MinioClient.builder().endpoint(endpoint).credentials(ACCESS_KEY, SECRET_KEY).build();
    }

    /** Every object name in {@code bucket} under {@code prefix}. */
    public List<String> objects(String bucket, String prefix) {
        try (MinioClient client = client()) {
            List<String> names = new ArrayList<>();
            for (Result<Item> item : client.listObjects(ListObjectsArgs.builder()
                    .bucket(bucket)
                    .prefix(prefix)
                    .recursive(true)
                    .build())) {
                names.add(item.get().objectName());
            }
            return names;
        }
        catch (Exception ex) {
            throw new IllegalStateException("cannot list " + bucket + "/" + prefix, ex);
        }
    }

    public void stop() {
        stopper.run();
    }

    @Override
    public void close() {
        stop();
    }
}
