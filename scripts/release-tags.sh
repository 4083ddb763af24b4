#!/usr/bin/env bash
# Points the tags users pin (`uses: owner/greenlight@vX.Y.Z` or `@vX`) at a
# commit whose action.yml runs the release's image.
#
#   scripts/release-tags.sh [--check] VERSION IMAGE
#     VERSION  the pushed release tag: vMAJOR.MINOR.PATCH[-PRERELEASE]
#     IMAGE    the image published for it, e.g. ghcr.io/owner/greenlight:v1.2.3
#     --check  only validate VERSION and IMAGE, touch nothing
#
# Run it in a clone (shallow is fine) of the repository; the remote is
# RELEASE_REMOTE (default origin) and must hold the tag VERSION.
#
# - The release commit is the commit the remote's tag VERSION points at when
#   its action.yml already has `runs.image: docker://IMAGE` (a first release
#   whose action.yml was written for it, or a rerun); otherwise a new commit
#   on top of it that changes only that line (made with plumbing: the work
#   tree, the index and the branches are untouched). Like the tags of most
#   docker actions, it is on no branch: the tags keep it.
# - VERSION moves to the release commit, as an annotated tag.
# - vMAJOR moves there too when VERSION is the highest vMAJOR.MINOR.PATCH on
#   the remote: a backport v1.2.4 after v1.3.0 leaves v1 where it is, and a
#   prerelease (v2.0.0-rc.1) never moves v2.
# - Both go in one atomic push, each leased on the value read from the
#   remote (a tag moved meanwhile makes the push fail, nothing half-done).
#   A tag already where it belongs is left alone: a rerun pushes nothing.
#
# The commit and the tag are made as the configured git user, else as
# github-actions[bot] (GIT_AUTHOR_* and GIT_COMMITTER_* override both).
set -euo pipefail

die() {
  printf 'error: %s\n' "$1" >&2
  shift
  for hint in "$@"; do printf '  hint: %s\n' "$hint" >&2; done
  exit 1
}

check_only=false
if [ "${1:-}" = "--check" ]; then
  check_only=true
  shift
fi
[ $# -eq 2 ] || die "usage: scripts/release-tags.sh [--check] VERSION IMAGE" \
  "e.g. scripts/release-tags.sh v1.2.3 ghcr.io/owner/greenlight:v1.2.3"
version="$1"
image="$2"
remote="${RELEASE_REMOTE:-origin}"

semver='^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$'
[[ "$version" =~ $semver ]] || die "release tag '$version' is not vMAJOR.MINOR.PATCH[-PRERELEASE]" \
  "tag releases like v1.2.3 (or v1.3.0-rc.1 for a prerelease)"
major="v${BASH_REMATCH[1]}"
prerelease="${BASH_REMATCH[4]}"
# A lowercase repository path and a tag (what a registry accepts), so that
# the value is inert in YAML and in awk.
component='[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*'
reference="^[a-z0-9]+([.-][a-z0-9]+)*(:[0-9]+)?(/$component)+:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}\$"
[[ "$image" =~ $reference ]] || die "image '$image' is not REGISTRY/PATH:TAG in lowercase" \
  "registries take lowercase repository names: lowercase the owner (\${OWNER,,} in bash)"
if $check_only; then
  printf 'release %s, image %s: ok\n' "$version" "$image"
  exit 0
fi

# The line number and value of `image:` in the `runs:` block of the
# action.yml on stdin (quotes and a trailing comment removed); nothing
# when there is none.
runs_image() {
  awk '
    function indent(s) { match(s, /^[ \t]*/); return RLENGTH }
    { sub(/\r$/, "") }
    /^runs:[ \t]*(#.*)?$/ { inruns = 1; child = -1; next }
    inruns && /^[ \t]*(#.*)?$/ { next }
    inruns && indent($0) == 0 { exit }
    inruns {
      if (child < 0) child = indent($0)
      if (indent($0) == child && $0 ~ /^[ \t]*image:/) {
        v = $0
        sub(/^[ \t]*image:[ \t]*/, "", v)
        sub(/[ \t]+#.*$/, "", v)
        sub(/[ \t]+$/, "", v)
        if (v ~ /^".*"$/ || v ~ /^\047.*\047$/) v = substr(v, 2, length(v) - 2)
        print NR "\t" v
        exit
      }
    }
  '
}

# The action.yml on stdin with line $1 set to `image: docker://IMAGE`,
# keeping its indentation and trailing comment.
set_image() {
  awk -v line="$1" -v value="docker://$image" '
    NR == line {
      match($0, /^[ \t]*/); lead = substr($0, 1, RLENGTH)
      comment = ($0 ~ /\r$/) ? "\r" : ""
      if (match($0, /[ \t]+#.*$/)) comment = substr($0, RSTART)
      print lead "image: " value comment
      next
    }
    { print }
  '
}

# The remote's tags, as "OBJECT<TAB>REF" lines (peeled entries too).
remote_tags="$(git ls-remote --tags "$remote")" ||
  die "cannot list the tags of the remote '$remote'" "run it in a clone whose remote '$remote' holds the release tag"
# Value of a remote ref (the tag object for an annotated tag), or nothing.
remote_ref() { awk -v ref="$1" '$2 == ref { print $1 }' <<<"$remote_tags"; }
# Commit a remote tag points at, or nothing.
remote_commit() {
  local peeled
  peeled="$(remote_ref "$1^{}")"
  if [ -n "$peeled" ]; then echo "$peeled"; else remote_ref "$1"; fi
}

version_ref="refs/tags/$version"
version_was="$(remote_ref "$version_ref")"
[ -n "$version_was" ] || die "the tag $version is not on the remote '$remote'" \
  "push the tag first (git push $remote $version); this runs on the workflow of that push"
# The remote's tag, not the checkout's: a rerun of the workflow checks out
# the commit first tagged, the remote's tag may have moved since.
git fetch --quiet --no-tags "$remote" "+$version_ref:$version_ref"
source_commit="$(git rev-parse --verify --quiet "$version_ref^{commit}")" ||
  die "the tag $version does not point at a commit"

action_yml="$(git show "$source_commit:action.yml" 2>/dev/null)" ||
  die "$version ($source_commit) has no action.yml at the repository root"
found="$(runs_image <<<"$action_yml")"
[ -n "$found" ] || die "action.yml of $version ($source_commit): no 'image:' in the 'runs:' block" \
  "the action must be a docker action, runs written as a block mapping (runs:, then 'image: docker://...' on its own line)"
line="${found%%$'\t'*}"
current="${found#*$'\t'}"

name="$(git config user.name || echo 'github-actions[bot]')"
email="$(git config user.email || echo '41898282+github-actions[bot]@users.noreply.github.com')"
export GIT_AUTHOR_NAME="${GIT_AUTHOR_NAME:-$name}" GIT_AUTHOR_EMAIL="${GIT_AUTHOR_EMAIL:-$email}"
export GIT_COMMITTER_NAME="${GIT_COMMITTER_NAME:-$name}" GIT_COMMITTER_EMAIL="${GIT_COMMITTER_EMAIL:-$email}"

push_args=()
if [ "$current" = "docker://$image" ]; then
  release_commit="$source_commit"
  echo "$version: action.yml at $source_commit already runs docker://$image; the tag stays"
else
  mode="$(git ls-tree "$source_commit" action.yml | awk '{ print $1 }')"
  blob="$(git cat-file blob "$source_commit:action.yml" | set_image "$line" | git hash-object -w --stdin)"
  index="$(mktemp)"
  trap 'rm -f "$index"' EXIT
  GIT_INDEX_FILE="$index" git read-tree "$source_commit"
  GIT_INDEX_FILE="$index" git update-index --cacheinfo "$mode,$blob,action.yml"
  tree="$(GIT_INDEX_FILE="$index" git write-tree)"
  release_commit="$(git commit-tree "$tree" -p "$source_commit" -m "action.yml: run the $version image" \
    -m "The release commit of $version: $source_commit with runs.image set to docker://$image (was $current), so that the action at $version pulls the image built from it.")"
  git tag --force --annotate "$version" "$release_commit" \
    -m "$version" -m "action.yml runs docker://$image; source commit $source_commit" >/dev/null
  push_args+=("--force-with-lease=$version_ref:$version_was" "$version_ref:$version_ref")
  echo "$version: $source_commit -> $release_commit (action.yml: $current -> docker://$image)"
fi

major_ref="refs/tags/$major"
if [ -n "$prerelease" ]; then
  echo "$major: left alone ($version is a prerelease)"
else
  highest="$( (
    awk -v major="$major" '{ sub(/^refs\/tags\//, "", $2) } index($2, major ".") == 1 { print $2 }' <<<"$remote_tags" |
      grep -E "^$major\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$" || true
    echo "$version"
  ) | sort -V | tail -n 1)"
  major_was="$(remote_ref "$major_ref")"
  if [ "$highest" != "$version" ]; then
    echo "$major: left alone ($highest is newer than $version)"
  elif [ "$(remote_commit "$major_ref")" = "$release_commit" ]; then
    echo "$major: already at $release_commit"
  else
    push_args+=("--force-with-lease=$major_ref:$major_was" "$release_commit:$major_ref")
    echo "$major: ${major_was:-(new)} -> $release_commit"
  fi
fi

if [ ${#push_args[@]} -eq 0 ]; then
  echo "nothing to push: the tags are where they belong"
else
  git push --atomic --quiet "$remote" "${push_args[@]}"
fi
