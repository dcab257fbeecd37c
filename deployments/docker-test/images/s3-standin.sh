#!/bin/sh
# Starts s3proxy as MinIO would start: S3 on port 9000 with MINIO_ROOT_USER/MINIO_ROOT_PASSWORD
# as credentials, objects under /data. Arguments (MinIO's `server /data ...`) are ignored.
set -eu
: "${MINIO_ROOT_USER:?MINIO_ROOT_USER is required}"
: "${MINIO_ROOT_PASSWORD:?MINIO_ROOT_PASSWORD is required}"
conf=/tmp/s3proxy.properties
umask 077
cat >"$conf" <<CONF
s3proxy.endpoint=http://0.0.0.0:9000
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=${MINIO_ROOT_USER}
s3proxy.credential=${MINIO_ROOT_PASSWORD}
jclouds.provider=filesystem
jclouds.filesystem.basedir=/data
CONF
# Buckets named in S3_BUCKETS exist from the start, as MinIO's init step would leave them.
for bucket in ${S3_BUCKETS:-}; do mkdir -p "/data/$bucket"; done
exec java -Dlogback.configurationFile=/opt/s3proxy/logback.xml ${JAVA_OPTS:-} -cp '/opt/s3proxy/lib/*' org.gaul.s3proxy.Main --properties "$conf"
