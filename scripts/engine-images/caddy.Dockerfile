# image: library/caddy
# tags: 2 2.6 2.6.2 latest
#
# Stand-in for Docker Hub's caddy:2, built by scripts/engine.sh FROM its debian:bookworm-slim
# with Debian's caddy package, in the official layout: /usr/bin/caddy, /etc/caddy/Caddyfile,
# /config and /data with XDG_CONFIG_HOME and XDG_DATA_HOME, ports 80, 443 and 2019, and the
# official command.
ARG BASE
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends caddy \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/dpkg.log \
 && mkdir -p /config/caddy /data/caddy /etc/caddy /usr/share/caddy \
 && caddy version
# The official image's default site: serve /usr/share/caddy on port 80.
COPY <<'CADDY' /etc/caddy/Caddyfile
:80 {
	root * /usr/share/caddy
	file_server
}
CADDY
ENV XDG_CONFIG_HOME=/config XDG_DATA_HOME=/data
EXPOSE 80 443 443/udp 2019
WORKDIR /srv
CMD ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]
