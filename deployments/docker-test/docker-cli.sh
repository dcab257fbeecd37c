#!/usr/bin/env bash
# Prints the path of a docker client that can build with BuildKit (the project's Dockerfile
# needs it): one with the buildx plugin, or a client older than 23 (BuildKit built in, as
# Debian's docker.io). Exits 1 when there is none.
set -uo pipefail
candidates=()
[[ -n "${DOCKER_CLI:-}" ]] && candidates+=("$DOCKER_CLI")
command -v docker >/dev/null 2>&1 && candidates+=("$(command -v docker)")
[[ -x /usr/bin/docker ]] && candidates+=(/usr/bin/docker)
for cli in "${candidates[@]}"; do
  if "$cli" buildx version >/dev/null 2>&1; then echo "$cli"; exit 0; fi
  major="$("$cli" --version 2>/dev/null | sed -n 's/^Docker version \([0-9]*\)\..*/\1/p')"
  if [[ -n "$major" ]] && (( major < 23 )); then echo "$cli"; exit 0; fi
done
echo "no docker client with BuildKit (buildx plugin, or docker.io before 23)" >&2
exit 1
