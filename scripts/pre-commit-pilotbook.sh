#!/usr/bin/env bash
# The `pilotbook-check-release` pre-commit hook: runs `pilotbook check`
# with the released binary of the hook's `rev`, downloaded once (SHA-256
# verified) into ~/.cache/pilotbook/VERSION/ and reused after that; no Rust
# toolchain, no compile.
#
# pre-commit runs this from its clone of the pilotbook repository at `rev`;
# the release is the version in that clone's Cargo.toml, so pin `rev` to a
# release tag (vX.Y.Z). A rev between releases runs the previous release's
# binary: use the `pilotbook-check` hook (built with cargo) for those.
#
# PILOTBOOK_CACHE overrides the cache folder; PILOTBOOK_RELEASES the
# releases URL (see install-pilotbook.sh).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
install="$here/install-pilotbook.sh"
version=$("$install" version --path "$(dirname "$here")")
cache=${PILOTBOOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pilotbook}
pilotbook=$("$install" install --version "$version" --dir "$cache/$version")
exec "$pilotbook" check "$@"
