#!/usr/bin/env bash
# Runs greenlight inside the action image the way the GitHub runner runs a
# docker action: the given volumes and working directory, and every
# variable of this script's environment (but PATH and the script's own
# GREENLIGHT_IMAGE and BUILDAH_ROOT) passed to the container as is.
#   run-in-image.sh [--volume HOST:CONTAINER]... [--workdir DIR] [--] ARGS...
# Nothing else of the host is mounted (not /tmp, not RUNNER_TEMP).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
buildah_root="${BUILDAH_ROOT:-$here/target/buildah}"
tag="${GREENLIGHT_IMAGE:-greenlight:dev}"
opts=()
while [ $# -gt 0 ]; do
  case "$1" in
    --volume) opts+=(--volume "$2"); shift 2 ;;
    --workdir) opts+=(--workingdir "$2"); shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
envs=()
while IFS= read -r -d '' kv; do
  case "${kv%%=*}" in
    PATH|GREENLIGHT_IMAGE|BUILDAH_ROOT|PWD|OLDPWD|SHLVL|_) ;;
    *) envs+=(--env "$kv") ;;
  esac
done < <(env -0)
b() { env -i PATH="$PATH" HOME=/root buildah --root "$buildah_root/root" --runroot "$buildah_root/runroot" --storage-driver vfs "$@"; }
container="$(b from "$tag")"
trap 'b rm "$container" >/dev/null 2>&1 || true' EXIT
set +e
b run --isolation chroot --network host "${opts[@]}" "${envs[@]}" "$container" /usr/local/bin/greenlight "$@"
rc=$?
exit "$rc"
