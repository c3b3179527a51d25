# The image the CI examples (examples/ci/) run xacct in.
#
# NOTE: this image has not been built here: the machines this project is
# developed on reach no container registry. It is kept plain so it builds
# as is where Docker and the registries are reachable:
#   docker build -t xacct .
#
# Stage 1 builds the release binary; stage 2 is a small Debian with CA
# certificates (the AWS SDK and webhooks use TLS) and a non-root user.
FROM rust:1.89-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p xacct-cli

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /nonexistent --shell /usr/sbin/nologin xacct
COPY --from=build /src/target/release/xacct /usr/local/bin/xacct
USER 10001
ENTRYPOINT ["xacct"]
