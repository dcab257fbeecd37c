#!/bin/sh
# `mc ready local`, the health check Compose runs in the MinIO service, for the S3 stand-in:
# succeeds once s3proxy answers HTTP on port 9000. Nothing else of mc is here.
[ "${1:-}" = ready ] || { echo "mc stand-in: only 'mc ready' is supported" >&2; exit 2; }
code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 http://127.0.0.1:9000/)"
[ "$code" != 000 ]
