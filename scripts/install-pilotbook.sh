#!/usr/bin/env bash
# Install a released pilotbook binary, verified against its published SHA-256.
#
#   install-pilotbook.sh resolve [--version V] [--ref REF] [--releases URL]
#       Decide what to install and print it as `key=value` lines (the
#       action appends them to $GITHUB_OUTPUT): `mode=release` with
#       `version=X.Y.Z` and `target=TRIPLE`, or `mode=source` when neither
#       V nor REF names a release (a branch, a commit, a local checkout).
#       V is `X.Y.Z`, `vX.Y.Z` or `latest`; empty means "the release REF
#       names", REF being the action's own ref (`vX.Y.Z` on a release tag).
#   install-pilotbook.sh install --version X.Y.Z --dir DIR [--target T] [--releases URL]
#       Download pilotbook-T.tar.gz (pilotbook-T.zip on Windows) and its
#       .sha256 from URL/download/vX.Y.Z/, check the archive's SHA-256,
#       unpack the binary into DIR and print its path. A binary already in
#       DIR that reports version X.Y.Z (restored from a cache) is kept.
#   install-pilotbook.sh source --path SRC --dir DIR
#       Build the `pilotbook` package found in the checkout SRC (its root or
#       a workspace member) with `cargo install --locked` into DIR/bin and
#       print the binary's path: the fallback for refs with no release.
#   install-pilotbook.sh version --path SRC
#       Print the version of the `pilotbook` package in the checkout SRC.
#
# URL defaults to $PILOTBOOK_RELEASES, else
# https://github.com/pilotbook/pilotbook/releases (the tests point it at a
# fake release on 127.0.0.1). T defaults to this
# machine's target: the static musl build on Linux, the Apple build on
# macOS, the MSVC build on Windows (Git Bash). The archive names follow
# cargo-dist's layout: pilotbook-TARGET.tar.gz holding
# pilotbook-TARGET/pilotbook, with pilotbook-TARGET.tar.gz.sha256 beside it.
#
# Exit status: 0 done; 1 a download failed or the checksum did not match
# (nothing is installed then); 2 bad arguments or an unsupported machine.
set -euo pipefail

RELEASES_DEFAULT="https://github.com/pilotbook/pilotbook/releases"

die() { # STATUS MESSAGE
  echo "install-pilotbook: error: $2" >&2
  exit "$1"
}

# The release target triple of the machine this runs on.
detect_target() {
  local os arch
  os=$(uname -s)
  arch=$(uname -m)
  case "$arch" in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
    *) die 2 "no release build for the processor \`$arch\`; build from source with cargo" ;;
  esac
  case "$os" in
    Linux) echo "$arch-unknown-linux-musl" ;;
    Darwin) echo "$arch-apple-darwin" ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT) echo "x86_64-pc-windows-msvc" ;;
    *) die 2 "no release build for the system \`$os\`; build from source with cargo" ;;
  esac
}

# `X.Y.Z` from `X.Y.Z` or `vX.Y.Z` (with an optional -pre suffix), or nothing.
release_version() {
  local v=${1#v}
  if [[ $v =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
    echo "$v"
  fi
}

# The protocols a redirect may go to: from https only to https.
redirects() { # URL
  case "$1" in
    https://*) echo '=https' ;;
    *) echo '=http,https' ;;
  esac
}

fetch() { # URL FILE
  curl --fail --silent --show-error --location --retry 3 --proto-redir "$(redirects "$1")" \
    --output "$2" "$1"
}

# The version the releases page's `latest` redirect points at (the
# redirect is read, not followed: .../releases/tag/vX.Y.Z).
latest_version() { # RELEASES
  local url tag
  url=$(curl --silent --show-error --retry 3 --output /dev/null \
    --write-out '%{redirect_url}' "$1/latest") ||
    die 1 "could not reach $1/latest"
  [ -n "$url" ] || die 1 "$1/latest names no release"
  tag=${url##*/}
  release_version "$tag" | grep . ||
    die 1 "the latest release at $1/latest is \`$tag\`, not a version"
}

resolve() {
  local version="" ref="" releases=${PILOTBOOK_RELEASES:-$RELEASES_DEFAULT}
  while [ $# -gt 0 ]; do
    [ $# -ge 2 ] || die 2 "\`$1\` needs a value"
    case "$1" in
      --version) version=${2-}; shift 2 ;;
      --ref) ref=${2-}; shift 2 ;;
      --releases) releases=${2-}; shift 2 ;;
      *) die 2 "resolve: unknown argument \`$1\`" ;;
    esac
  done
  local chosen=""
  if [ "$version" = latest ]; then
    chosen=$(latest_version "$releases")
  elif [ -n "$version" ]; then
    chosen=$(release_version "$version")
    [ -n "$chosen" ] || die 2 "version \`$version\` is not X.Y.Z, vX.Y.Z or latest"
  else
    chosen=$(release_version "$ref")
  fi
  if [ -z "$chosen" ]; then
    echo "mode=source"
    return
  fi
  echo "mode=release"
  echo "version=$chosen"
  echo "target=$(detect_target)"
}

sha256_of() { # FILE
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    die 2 "neither sha256sum nor shasum is installed; cannot verify the download"
  fi
}

unpack() { # ARCHIVE INTO
  case "$1" in
    *.zip)
      if command -v unzip >/dev/null 2>&1; then
        unzip -q "$1" -d "$2"
      elif command -v 7z >/dev/null 2>&1; then
        7z x -y -o"$2" "$1" >/dev/null
      else
        powershell -NoProfile -Command "Expand-Archive -LiteralPath '$1' -DestinationPath '$2'"
      fi
      ;;
    *) tar -xzf "$1" -C "$2" ;;
  esac
}

install() {
  local version="" dir="" target="" releases=${PILOTBOOK_RELEASES:-$RELEASES_DEFAULT}
  while [ $# -gt 0 ]; do
    [ $# -ge 2 ] || die 2 "\`$1\` needs a value"
    case "$1" in
      --version) version=${2-}; shift 2 ;;
      --dir) dir=${2-}; shift 2 ;;
      --target) target=${2-}; shift 2 ;;
      --releases) releases=${2-}; shift 2 ;;
      *) die 2 "install: unknown argument \`$1\`" ;;
    esac
  done
  local plain
  plain=$(release_version "$version")
  [ -n "$plain" ] || die 2 "install: --version X.Y.Z is required (got \`$version\`)"
  [ -n "$dir" ] || die 2 "install: --dir is required"
  [ -n "$target" ] || target=$(detect_target)
  if command -v cygpath >/dev/null 2>&1; then
    dir=$(cygpath -u "$dir")
  fi

  local exe=pilotbook archive="pilotbook-$target.tar.gz"
  case "$target" in
    *windows*) exe=pilotbook.exe archive="pilotbook-$target.zip" ;;
  esac
  local url="$releases/download/v$plain/$archive"

  # Restored from a cache, or installed before: keep it.
  if [ -x "$dir/$exe" ] && [ "$("$dir/$exe" --version 2>/dev/null)" = "pilotbook $plain" ]; then
    echo "pilotbook $plain is already installed in $dir" >&2
    echo "$dir/$exe"
    return
  fi

  local tmp
  tmp=$(mktemp -d)
  # shellcheck disable=SC2064 # expand now: $tmp is local
  trap "rm -rf '$tmp'" EXIT

  fetch "$url" "$tmp/$archive" ||
    die 1 "pilotbook $plain has no build for $target: could not download $url"
  fetch "$url.sha256" "$tmp/$archive.sha256" ||
    die 1 "could not download the checksum $url.sha256; not installing an unverified binary"

  local expected actual
  expected=$(tr -d '\r' <"$tmp/$archive.sha256" | awk 'NR == 1 { print tolower($1) }')
  [[ $expected =~ ^[0-9a-f]{64}$ ]] ||
    die 1 "$url.sha256 holds no SHA-256 (\`$expected\`); not installing an unverified binary"
  actual=$(sha256_of "$tmp/$archive")
  [ "$actual" = "$expected" ] ||
    die 1 "checksum mismatch for $archive: expected $expected, got $actual; nothing installed"

  mkdir "$tmp/unpacked"
  unpack "$tmp/$archive" "$tmp/unpacked" || die 1 "could not unpack $archive"
  local binary="$tmp/unpacked/pilotbook-$target/$exe"
  [ -f "$binary" ] || binary="$tmp/unpacked/$exe"
  [ -f "$binary" ] || die 1 "$archive holds no pilotbook-$target/$exe"
  chmod +x "$binary"
  local runs
  runs=$("$binary" --version) || die 1 "the $target binary in $archive does not run here"

  mkdir -p "$dir"
  cp "$binary" "$dir/.$exe.partial"
  mv -f "$dir/.$exe.partial" "$dir/$exe"
  echo "installed $runs ($target, sha256 $actual) in $dir" >&2
  echo "$dir/$exe"
}

# The folder of the `pilotbook` package in the checkout SRC.
package_dir() { # SRC
  local manifest
  for manifest in "$1/Cargo.toml" "$1"/*/Cargo.toml "$1"/crates/*/Cargo.toml; do
    if [ -f "$manifest" ] && grep -Eq '^name[[:space:]]*=[[:space:]]*"pilotbook"' "$manifest"; then
      dirname "$manifest"
      return
    fi
  done
  die 2 "no Cargo.toml of a package named pilotbook in $1"
}

source_install() {
  local src="" dir=""
  while [ $# -gt 0 ]; do
    [ $# -ge 2 ] || die 2 "\`$1\` needs a value"
    case "$1" in
      --path) src=${2-}; shift 2 ;;
      --dir) dir=${2-}; shift 2 ;;
      *) die 2 "source: unknown argument \`$1\`" ;;
    esac
  done
  if [ -z "$src" ] || [ -z "$dir" ]; then die 2 "source: --path and --dir are required"; fi
  command -v cargo >/dev/null 2>&1 ||
    die 2 "this ref has no release and cargo is not installed: give a released version, or install Rust first"
  local package
  package=$(package_dir "$src")
  echo "no release for this ref: building pilotbook from $package with cargo" >&2
  cargo install --locked --quiet --root "$dir" --path "$package" >&2 ||
    die 1 "cargo install failed for $package"
  local exe=pilotbook
  [ -f "$dir/bin/pilotbook.exe" ] && exe=pilotbook.exe
  echo "$dir/bin/$exe"
}

# The version of the `pilotbook` package in the checkout SRC: its own
# `version`, or the workspace's when it inherits it.
source_version() {
  if [ $# -ne 2 ] || [ "$1" != --path ]; then die 2 "version: --path SRC is required"; fi
  local package manifest version
  package=$(package_dir "$2")
  manifest="$package/Cargo.toml"
  if grep -Eq '^version\.workspace[[:space:]]*=[[:space:]]*true' "$manifest"; then
    manifest="$2/Cargo.toml"
  fi
  version=$(sed -n 's/^version[[:space:]]*=[[:space:]]*"\([^"]*\)".*/\1/p' "$manifest" | head -n 1)
  [ -n "$version" ] || die 2 "no version in $manifest"
  echo "$version"
}

case "${1-}" in
  resolve) shift; resolve "$@" ;;
  install) shift; install "$@" ;;
  source) shift; source_install "$@" ;;
  version) shift; source_version "$@" ;;
  *) die 2 "usage: install-pilotbook.sh resolve|install|source|version [OPTIONS] (see the comment at the top)" ;;
esac
