#!/usr/bin/env bash
# Random Chat: one entry point for running, developing, deploying and benchmarking.
#   ./run.sh              build if needed, then run on http://localhost:8080 (embedded Redis, files on disk)
#   ./run.sh dev          development: restart on class changes, the page served live from web/
#   ./run.sh compose      run the Docker Compose deployment (proxy, 2 servers, Redis, MinIO) on port 80
#   ./run.sh compose-down stop it (add -v to drop its data)
#   ./run.sh bench        benchmark with baselines (--quick: over a quarter of an hour with the issue-21 rows; --codec: JMH frame codec)
#   ./run.sh help         this list
set -euo pipefail
cd "$(dirname "$0")"

JAR=app/target/random-chat-app-1.0.0-SNAPSHOT-exec.jar
# Redis binaries for embedded mode, copied here by the build; used only when no redis-server is on PATH.
EMBEDDED_REDIS_JAR=app/target/embedded-redis/embedded-redis.jar
# The server's JVM options (heap sizing, GC): one file, used here, by the benchmark's servers and by the image.
JVM_OPTIONS=app/jvm.options
JVM_OPTIONS_25=app/jvm25.options
COMPOSE_FILE=deployments/docker-compose.yaml

usage() {
  echo "Random Chat commands:"
  grep '^#   ./run.sh' "$0" | sed 's/^#//'
}

# The JDK that runs the server: $JAVA_HOME if set, else a Java 25 in the system's JVM directory
# (generational ZGC, compact object headers: see README, Benchmarks), else `java` on PATH.
# The build itself runs on any JDK from 17 up and always makes Java 17 bytecode.
pick_java() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    echo "$JAVA_HOME/bin/java"
    return
  fi
  local jdk
  for jdk in /usr/lib/jvm/temurin-25-jdk* /usr/lib/jvm/java-25-*; do
    if [[ -x "$jdk/bin/java" ]]; then
      echo "$jdk/bin/java"
      return
    fi
  done
  echo java
}

# The options only a Java 25 or later understands ($JVM_OPTIONS_25), when the chosen JDK is one.
java_version_options() {
  local major
  major="$("$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  if [[ "${major%%.*}" -ge 25 ]]; then
    echo "@$JVM_OPTIONS_25"
  fi
}

build_if_needed() {
  if [[ ! -f "$JAR" ]] || [[ ! -f "$EMBEDDED_REDIS_JAR" ]] \
      || [[ -n "$(find pom.xml app/pom.xml app/src web/pom.xml web/src -newer "$JAR" -print -quit)" ]]; then
    echo "Building the server (first run takes a minute)..."
    ./mvnw -q -B -Dmaven.test.skip=true package -pl app -am
  fi
}

compose() {
  if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
    docker compose -f "$COMPOSE_FILE" --env-file "$(env_file)" "$@"
  elif command -v docker-compose >/dev/null 2>&1; then
    # docker-compose 1.x builds through the docker CLI with BuildKit only when asked to; the
    # Dockerfile needs BuildKit (its Maven cache mount).
    COMPOSE_DOCKER_CLI_BUILD=1 DOCKER_BUILDKIT=1 docker-compose -f "$COMPOSE_FILE" --env-file "$(env_file)" "$@"
  else
    echo "This needs Docker with Compose (docker compose, or docker-compose)." >&2
    exit 1
  fi
}

env_file() {
  if [[ ! -f deployments/.env ]]; then
    echo "deployments/.env is missing: copy deployments/.env.example and fill in every secret" >&2
    echo "(each one: openssl rand -base64 48)." >&2
    exit 1
  fi
  echo deployments/.env
}

case "${1:-run}" in
  run)
    build_if_needed
    port="${HTTP_PORT:-8080}"
    echo "Random Chat is starting on http://localhost:${port} (Ctrl-C stops it and its Redis)"
    # exec: the JVM gets Ctrl-C/SIGTERM itself and stops its embedded Redis on the way out.
    java_cmd="$(pick_java)"
    java_options=("@$JVM_OPTIONS" $(java_version_options "$java_cmd") ${JAVA_OPTS:-})
    # Two malloc arenas instead of up to eight per core: the JVM's native memory stays in a few
    # arenas rather than fragments in many (about 40 MiB of RSS; README, "Which JVM").
    export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
    if [[ -n "${REDIS_ADDRS:-}" ]] || command -v redis-server >/dev/null 2>&1; then
      exec "$java_cmd" "${java_options[@]}" -jar "$JAR"
    fi
    # No redis-server installed: the embedded-redis jar (its bundled Redis binaries) joins the
    # class path; the server jar itself never carries them. Boot's launcher loads the server's
    # classes with the class path above it, where it finds them.
    exec "$java_cmd" "${java_options[@]}" -cp "$JAR:$EMBEDDED_REDIS_JAR" org.springframework.boot.loader.launch.JarLauncher
    ;;
  dev)
    # The web module and the parent pom must be installed for the app module to run alone.
    ./mvnw -q -B -Dmaven.test.skip=true install -pl .,web
    static="file:$PWD/web/src/main/resources/static/"
    echo "Development mode on http://localhost:${HTTP_PORT:-8080}: page files are served from web/ as they are;"
    echo "recompile (./mvnw -q compile -pl app) and the server restarts."
    exec ./mvnw -q -B -pl app spring-boot:run \
      -Dspring-boot.run.arguments="--spring.web.resources.static-locations=$static"
    ;;
  compose)
    [[ -f "$COMPOSE_FILE" ]] || { echo "No $COMPOSE_FILE yet." >&2; exit 1; }
    compose up --build -d
    echo "Random Chat runs on http://localhost (./run.sh compose-down stops it)"
    echo "Metrics and the operator API: each chat server's management port, on 127.0.0.1 only:"
    compose port --index=1 chat 9090 2>/dev/null || true
    ;;
  compose-down)
    shift
    compose down "$@"
    ;;
  bench)
    shift
    build_if_needed
    bench_jar=bench/target/random-chat-bench.jar
    if [[ ! -f "$bench_jar" ]] || [[ -n "$(find pom.xml bench/pom.xml bench/src "$JAR" -newer "$bench_jar" -print -quit)" ]]; then
      echo "Building the benchmark..."
      # -am: the benchmark depends on the server's plain jar (for its frame codec).
      ./mvnw -q -B -Dmaven.test.skip=true package -pl bench -am
    fi
    # exec: Ctrl-C reaches the benchmark, which stops the Redis and servers it started.
    # The servers it starts run on the same JDK, with $JVM_OPTIONS (as `./run.sh` starts the server).
    # The load generator's own heap: G1 with a fixed 1 GiB young generation, which it empties
    # before each measured step, so no pause of its own (20-60 ms measured with the default sizing,
    # while thousands of sockets it had just opened were copied) lands inside a step and is counted
    # as the server's latency; each step reports the pauses it had (bench/RESULTS.md).
    exec "$(pick_java)" -Xms2g -Xmx2g -Xmn1g -jar "$bench_jar" "$@"
    ;;
  help|-h|--help)
    usage
    ;;
  *)
    echo "Unknown command: $1" >&2
    usage >&2
    exit 2
    ;;
esac
