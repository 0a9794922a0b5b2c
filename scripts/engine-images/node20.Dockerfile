# image: library/node
# tags: 20.20.2 20.20 20 20.20.2-bookworm 20.20-bookworm 20-bookworm
# tags@slim: 20.20.2-slim 20.20-slim 20-slim 20.20.2-bookworm-slim 20.20-bookworm-slim 20-bookworm-slim
# args: NODE_VERSION=20.20.2 NPM_VERSION=10.8.2 COREPACK_VERSION=0.34.6 YARN_VERSION=1.22.22
# dockerfile: node22.Dockerfile
# Stand-in for node:20 and node:20-slim: node22.Dockerfile's recipe with Node.js 20.
