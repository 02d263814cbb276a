# syntax=docker/dockerfile:1

# ---------------------------------------------------------------------------
# Build stage: a fully static ecs-emulator binary (glibc, +crt-static).
# ---------------------------------------------------------------------------
FROM docker.io/library/rust:1-bookworm AS build

# Set by BuildKit / buildx for the platform being built (amd64 or arm64).
ARG TARGETARCH

WORKDIR /src

# Sources only; .dockerignore keeps target/, .git and virtualenvs out of the context.
COPY . .

# Registry, git checkouts and target/ live in BuildKit cache mounts, so a rebuild after a
# source change only recompiles the crate itself, not its dependencies. The binary is
# copied out of the cache mount to /out so that the next stage can pick it up.
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/src/target,sharing=locked \
    set -eux; \
    case "${TARGETARCH:-amd64}" in \
      amd64) triple=x86_64-unknown-linux-gnu ;; \
      arm64) triple=aarch64-unknown-linux-gnu ;; \
      *) echo "unsupported TARGETARCH: ${TARGETARCH}" >&2; exit 1 ;; \
    esac; \
    RUSTFLAGS="-C target-feature=+crt-static" \
      cargo build --release --locked --target "$triple"; \
    mkdir -p /out; \
    cp "target/$triple/release/ecs-emulator" /out/ecs-emulator; \
    if readelf -l /out/ecs-emulator | grep -q INTERP; then \
      echo "ecs-emulator is dynamically linked; it must be static to run FROM scratch" >&2; exit 1; \
    fi; \
    /out/ecs-emulator --version

# ---------------------------------------------------------------------------
# Runtime stage: the binary and the example fixtures, nothing else.
# ---------------------------------------------------------------------------
FROM scratch AS runtime

ARG VERSION=0.1.0

LABEL org.opencontainers.image.title="ecs-emulator" \
      org.opencontainers.image.description="A local emulator of Alibaba Cloud ECS and EBS (disk replication) RPC APIs" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0"

COPY --from=build /out/ecs-emulator /ecs-emulator
COPY fixtures/ /fixtures/

# Unprivileged numeric user (no /etc/passwd in a scratch image).
USER 65532:65532

ENV ECS_EMULATOR_LISTEN=0.0.0.0:18090
EXPOSE 18090

# No shell or curl in the image: the binary probes its own health endpoint.
HEALTHCHECK --interval=10s --timeout=5s --start-period=2s --retries=3 \
  CMD ["/ecs-emulator", "healthcheck", "--url", "http://127.0.0.1:18090/_emulator/health"]

ENTRYPOINT ["/ecs-emulator"]
CMD ["serve"]
