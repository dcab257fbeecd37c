# The S3 stand-in for MinIO: s3proxy (Maven Central's org.gaul:s3proxy with its dependencies)
# on the local Java runtime, storing objects in /data. It takes MinIO's variables:
# MINIO_ROOT_USER / MINIO_ROOT_PASSWORD are the one identity it accepts.
ARG BASE
FROM ${BASE}
RUN groupadd --system --gid 10002 s3 \
 && useradd --system --uid 10002 --gid s3 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin s3 \
 && mkdir -p /data && chown s3:s3 /data
COPY lib/ /opt/s3proxy/lib/
COPY s3proxy-logback.xml /opt/s3proxy/logback.xml
COPY --chmod=755 s3-standin.sh /usr/local/bin/s3-standin
COPY --chmod=755 mc-ready.sh /usr/local/bin/mc
USER 10002:10002
EXPOSE 9000
ENTRYPOINT ["/usr/local/bin/s3-standin"]
