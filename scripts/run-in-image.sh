#!/usr/bin/env bash
# Runs greenlight inside the action image, as the runner would: the GITHUB_*,
# INPUT_* and RUNNER_* variables passed through, /tmp mounted (the tests keep
# their repositories and files there). Usage: run-in-image.sh ARGS...
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
buildah_root="${BUILDAH_ROOT:-$here/target/buildah}"
tag="${GREENLIGHT_IMAGE:-greenlight:dev}"
envs=()
while IFS='=' read -r name value; do
  case "$name" in
    GITHUB_*|INPUT_*|RUNNER_*|GIT_CONFIG_GLOBAL) envs+=(--env "$name=$value") ;;
  esac
done < <(env)
exec buildah --root "$buildah_root/root" --runroot "$buildah_root/runroot" --storage-driver vfs \
  run --isolation chroot --network host --volume /tmp:/tmp --workingdir "$PWD" "${envs[@]}" \
  "$(buildah --root "$buildah_root/root" --runroot "$buildah_root/runroot" --storage-driver vfs from "$tag")" \
  /usr/local/bin/greenlight "$@"
