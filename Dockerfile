# pilotbook in a small image for CI (GitLab, Jenkins, Woodpecker, a laptop):
# the static musl binary on Alpine, which keeps a shell for CI runners that
# run job scripts in the image. Built from source in two stages:
#
#   docker build -t pilotbook .
#   docker run --rm -v "$PWD:/work" pilotbook check
#   docker run --rm -u "$(id -u):$(id -g)" -v "$PWD:/work" pilotbook build   # writes site/
#
# Released as ghcr.io/pilotbook/pilotbook:X.Y.Z by .github/workflows/release.yml.
# pilotbook reads git with libgit2: the image needs no git, and no network.

FROM rust:1-alpine AS build
SHELL ["/bin/ash", "-eo", "pipefail", "-c"]
# musl-dev for the C parts (libgit2, zlib, mimalloc). Alpine's versions are
# not pinned: its repositories drop old ones, which would break the build.
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY . .
# Rust's musl targets link statically; the check keeps it that way.
ENV CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_STRIP=symbols
RUN cargo build --release --locked \
    && cp target/release/pilotbook /usr/local/bin/pilotbook \
    && if ldd /usr/local/bin/pilotbook 2>&1 | grep -q '=>'; then echo "pilotbook is not static" >&2; exit 1; fi \
    && /usr/local/bin/pilotbook --version

FROM alpine:3.22
# The checkout is mounted from the host or cloned by the CI runner, so it
# belongs to another user; libgit2, like git, refuses such a repository
# unless it is a safe directory. This image only reads it.
RUN printf '[safe]\n\tdirectory = *\n' > /etc/gitconfig \
    && adduser -D -H -u 10001 -g pilotbook pilotbook
COPY --from=build /usr/local/bin/pilotbook /usr/local/bin/pilotbook
USER 10001:10001
WORKDIR /work
ENTRYPOINT ["pilotbook"]
CMD ["check"]
