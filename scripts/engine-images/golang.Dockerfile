# tags: 1.19 1.19-bookworm
# Stand-in for Docker Hub's golang:1.19, built by scripts/engine.sh FROM its
# debian:bookworm-slim: Debian's golang-1.19 toolchain moved to /usr/local/go.
ARG BASE
FROM ${BASE}
ENV GOPATH=/go
ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# Debian splits GOROOT into /usr/lib/go-1.19 with symlinks into /usr/share/go-1.19. Make
# /usr/local/go one real tree (a `COPY --from=builder /usr/local/go` must not copy dangling
# links) and leave a link at the old path, which the go binary has compiled in.
RUN apt-get update \
 && apt-get install -y --no-install-recommends golang-1.19-go \
 && mv /usr/lib/go-1.19 /usr/local/go \
 && for d in api misc src pkg/include; do \
      rm /usr/local/go/$d && mv /usr/share/go-1.19/$d /usr/local/go/$d; \
    done \
 && rm -rf /usr/local/go/test /usr/share/go-1.19 \
 && ln -s /usr/local/go /usr/lib/go-1.19 \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/dpkg.log \
 && mkdir -p /go/src /go/bin && chmod -R 1777 /go \
 && go version && go env GOROOT GOPATH
WORKDIR /go
CMD ["bash"]
