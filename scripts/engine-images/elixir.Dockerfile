# tags: 1.14-slim 1.14 1.14.0 1.14.0-slim 1.14-otp-25 1.14-otp-25-slim 1.14.0-otp-25 1.14.0-otp-25-slim
#
# Stand-in for Docker Hub's elixir:1.14 and elixir:1.14-slim (one image for both tags), built by
# scripts/engine.sh FROM its debian:bookworm-slim: Debian's elixir 1.14.0 on Erlang/OTP 25.
# Hex and rebar3 come from builds.hex.pm, which is unreachable: `mix local.hex` and
# `mix local.rebar` install nothing and say so (docs/engine.md). Debian's rebar3 is left out:
# it pulls in erlang-common-test and with it wxWidgets, GTK and WebKit (about 600 MB).
ARG BASE
FROM ${BASE}
ENV LANG=C.UTF-8
COPY <<'SH' /usr/local/bin/mix
#!/bin/sh
# Debian's mix, except for the two tasks that download from builds.hex.pm.
case "${1:-}" in
  local.hex | local.rebar)
    echo "mix stand-in (docs/engine.md): $1 needs builds.hex.pm, which is unreachable here; nothing installed" >&2
    mkdir -p "${MIX_HOME:-$HOME/.mix}/archives"
    exit 0 ;;
esac
exec /usr/bin/mix "$@"
SH
RUN chmod 755 /usr/local/bin/mix \
 && apt-get update \
 && apt-get install -y --no-install-recommends elixir erlang-dev erlang-inets erlang-os-mon \
      erlang-runtime-tools erlang-ssl erlang-crypto erlang-public-key erlang-xmerl \
      erlang-syntax-tools erlang-eunit \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/dpkg.log \
 && elixir --version
CMD ["iex"]
