#!/usr/bin/env bash
# Builds the static musl binary and the FROM scratch action image with
# buildah. Usage: scripts/build-image.sh [TAG [NAME=VALUE]...]
#   TAG         default greenlight:dev
#   NAME=VALUE  build arguments of docker/Dockerfile (VERSION, REVISION,
#               SOURCE, LICENSES: its OCI labels), passed to buildah bud
# Needs: rustup target x86_64-unknown-linux-musl, musl-tools, buildah.
set -euo pipefail
cd "$(dirname "$0")/.."
tag="${1:-greenlight:dev}"
build_args=()
for arg in "${@:2}"; do
  [[ "$arg" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || { echo "error: build argument '$arg' is not NAME=VALUE" >&2; exit 2; }
  build_args+=(--build-arg "$arg")
done
target=x86_64-unknown-linux-musl
rustup target add "$target" >/dev/null
CC_x86_64_unknown_linux_musl=musl-gcc cargo build --profile dist --locked --target "$target" --bin greenlight
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
cp "target/$target/dist/greenlight" "$ctx/greenlight"
cp /etc/ssl/certs/ca-certificates.crt "$ctx/ca-certificates.crt"
buildah_root="${BUILDAH_ROOT:-$PWD/target/buildah}"
mkdir -p "$buildah_root/root" "$buildah_root/runroot"
buildah --root "$buildah_root/root" --runroot "$buildah_root/runroot" --storage-driver vfs \
  bud --isolation chroot "${build_args[@]}" -f docker/Dockerfile -t "$tag" "$ctx" >&2
ls -l "target/$target/dist/greenlight" | awk '{print "binary bytes: " $5}'
