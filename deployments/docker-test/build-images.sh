#!/usr/bin/env bash
# Builds the local images that stand in for the upstream ones (no image registry is reachable
# here): a minimal Debian root made by debootstrap and imported as a base, then a Java runtime,
# a JDK, Redis, nginx and an S3 stand-in for MinIO, all from Debian's packages.
#
#   deployments/docker-test/build-images.sh [S3PROXY_LIB_DIR]
#
# Needs a running Docker daemon (DOCKER_HOST), debootstrap and root. Each image is tagged
# random-chat-local/<name>:<key>, where the key is a hash of everything it is made from, and
# also :latest; an image whose key tag exists is reused, so a warm run builds nothing. The
# images live in the daemon's data root (dockerd.sh keeps it in /var/tmp between runs).
# Prints one NAME=image line per image on standard output; progress goes to standard error.
# Without S3PROXY_LIB_DIR (a folder of s3proxy's jars) the S3 stand-in is not built.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
s3proxy_lib="${1:-}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
docker="$("$here/docker-cli.sh")"

say() { echo "build-images: $*" >&2; }
key() { sha256sum | cut -c1-12; }
exists() { "$docker" image inspect "$1" >/dev/null 2>&1; }

# Tags random-chat-local/<name>:latest and drops the builds of older keys, so the cache does not grow.
current() {
  local name="$1" image="$2" old
  "$docker" tag "$image" "random-chat-local/$name:latest"
  for old in $("$docker" image ls --format '{{.Repository}}:{{.Tag}}' "random-chat-local/$name" \
      | grep -v -e ":${image##*:}\$" -e ':latest$' || true); do
    "$docker" rmi "$old" >/dev/null 2>&1 || true
  done
}

# debootstrap <name> <suite>: a minbase root of the suite, imported as random-chat-local/<name>.
rootfs() {
  local name="$1" suite="$2" k image root started
  k="$(printf 'rootfs v1 %s %s\n' "$suite" "$mirror" | key)"
  image="random-chat-local/$name:$k"
  if ! exists "$image"; then
    started=$SECONDS
    root="$(mktemp -d /var/tmp/random-chat-rootfs.XXXXXX)"
    # shellcheck disable=SC2064
    trap "rm -rf '$root'" RETURN
    say "debootstrap $suite (first run only)"
    debootstrap --variant=minbase --include=ca-certificates "$suite" "$root" "$mirror" >/dev/null
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb "$root"/var/log/*.log
    tar --numeric-owner -C "$root" -c . \
      | "$docker" import -c 'ENV LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive' -c 'CMD ["bash"]' - "$image" >/dev/null
    say "$image imported in $((SECONDS - started)) s"
  fi
  current "$name" "$image"
  echo "$image"
}

# image <name> <base image> [extra context files...]: docker build of images/<name>.Dockerfile.
image() {
  local name="$1" base="$2" context="$3" k image started
  k="$( { echo "image v1 $base"; cat "$here/images/$name.Dockerfile"; (cd "$context" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum); } | key)"
  image="random-chat-local/$name:$k"
  if ! exists "$image"; then
    started=$SECONDS
    say "building $name"
    # Host network: apt reaches Debian's mirror although the daemon makes no NAT rules.
    if ! DOCKER_BUILDKIT=1 "$docker" build -q --network=host --build-arg "BASE=$base" \
      -f "$here/images/$name.Dockerfile" -t "$image" "$context" >/dev/null 2>"$context.log"; then
      say "building $name failed:"; tail -30 "$context.log" >&2; rm -f "$context.log"; exit 1
    fi
    rm -f "$context.log"
    say "$image built in $((SECONDS - started)) s"
  fi
  current "$name" "$image"
  echo "$image"
}

empty="$(mktemp -d)"
trap 'rm -rf "$empty"' EXIT

bookworm="$(rootfs debian-bookworm bookworm)"
sid="$(rootfs debian-sid sid)"
java="$(image java "$bookworm" "$empty")"
jdkctx="$(mktemp -d)"
mkdir "$jdkctx/extra-ca"
find /usr/local/share/ca-certificates -maxdepth 1 -name '*.crt' -exec cp {} "$jdkctx/extra-ca/" \; 2>/dev/null || true
jdk="$(image jdk "$java" "$jdkctx")"
rm -rf "$jdkctx"
redis="$(image redis "$bookworm" "$empty")"
nginx="$(image nginx "$sid" "$empty")"
if [[ -n "$s3proxy_lib" ]]; then
  s3ctx="$(mktemp -d)"
  cp -r "$s3proxy_lib" "$s3ctx/lib"
  cp "$here/images/s3-standin.sh" "$here/images/mc-ready.sh" "$here/images/s3proxy-logback.xml" "$s3ctx/"
  s3="$(image s3 "$java" "$s3ctx")"
  rm -rf "$s3ctx"
fi
echo "BASE_IMAGE=$bookworm"
echo "JRE_IMAGE=$java"
echo "JDK_IMAGE=$jdk"
echo "REDIS_IMAGE=$redis"
echo "NGINX_IMAGE=$nginx"
[[ -z "${s3:-}" ]] || echo "S3_IMAGE=$s3"
