# tags: 3.11-slim 3.11 3.11-bookworm 3.11-slim-bookworm
# Stand-in for Docker Hub's python:3.11 and python:3.11-slim (one image for both tags), built by
# scripts/engine.sh FROM its debian:bookworm-slim: Debian's python3 3.11 with pip and venv.
ARG BASE
FROM ${BASE}
ENV LANG=C.UTF-8
# This machine's TLS proxy: uv (bundled roots), poetry and pipenv (certifi) need the system store.
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
# No PEP 668 marker, as in the official image: `pip install` outside a venv is allowed.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-pip python3-venv \
 && rm -f /usr/lib/python3.11/EXTERNALLY-MANAGED \
 && ln -s /usr/bin/python3 /usr/local/bin/python \
 && ln -s /usr/bin/python3 /usr/local/bin/python3 \
 && ln -s /usr/bin/pip3 /usr/local/bin/pip \
 && ln -s /usr/bin/pip3 /usr/local/bin/pip3 \
 && apt-get clean && rm -rf /var/lib/apt/lists/* /var/log/apt/* /var/log/dpkg.log \
 && python --version && pip --version
CMD ["python3"]
