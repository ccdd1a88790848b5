# clawcheck in a container: a static binary on distroless, run as a non-root user.
#
#   docker build -t clawcheck .
#   docker run --rm --user "$(id -u):$(id -g)" \
#     -v "$HOME/.openclaw:/home/nonroot/.openclaw:ro" clawcheck audit
#
# The state directory is mounted where the user's own HOME would have it, so the
# audit sees it as `openclaw security audit` would (`--user` keeps the files readable
# when they are private to you, as they should be; drop `:ro` for `audit --fix`).

# Build: Alpine's Rust targets musl, whose binaries are static by default. The
# bundled SQLite needs a C compiler.
FROM rust:1.89-alpine AS build
# The compilers follow the Rust image's Alpine release; pinned apk versions would break
# the build as soon as Alpine drops them (hadolint's DL3018).
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev gcc
WORKDIR /src
COPY . .
RUN cargo build --locked --profile dist -p clawcheck \
    && cp target/dist/clawcheck /clawcheck \
    && /clawcheck --version

# Run: nothing but the binary (no shell, no package manager), as uid 65532 (`nonroot`).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /clawcheck /usr/local/bin/clawcheck
ENV HOME=/home/nonroot
WORKDIR /home/nonroot
# distroless's nonroot account, by number: Kubernetes' runAsNonRoot can only check a
# numeric user.
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/clawcheck"]
CMD ["audit"]
