# The support service as one image, for docker compose (deploy/compose.yaml) and Kubernetes
# (deploy/kubernetes/): see docs/deployment.md. Build from the repository root:
#
#   docker build -t skyway-support .
#
# It runs in server mode once DATABASE_URL (PostgreSQL, ideally with pgvector) and REDIS_URL are set;
# NODE_ENV=production is set here, so a start without the production settings fails at once, naming
# each variable to set (packages/server/src/config.ts).

ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Every dependency (Vite and TypeScript included), then the agent console and the chat widget.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/protocol/package.json packages/protocol/
COPY packages/server/package.json packages/server/
COPY packages/console/package.json packages/console/
COPY packages/widget/package.json packages/widget/
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY packages/protocol packages/protocol
COPY packages/console packages/console
COPY packages/widget packages/widget
RUN npm run build

# 2. The production dependencies of the server and the protocol package only. tsx is one of them
#    (packages/server/package.json): the service runs its TypeScript through `node --import tsx`.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY packages/protocol/package.json packages/protocol/
COPY packages/server/package.json packages/server/
COPY packages/console/package.json packages/console/
COPY packages/widget/package.json packages/widget/
RUN npm ci --omit=dev --no-audit --no-fund --workspace @support/server --workspace @support/protocol \
  && npm cache clean --force

# 3. What runs: the dependencies, the server's source and data files, the two builds. Files belong to
#    root (the service cannot change its own code); it runs as the image's unprivileged `node` user.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=deps /app ./
# .env.example: the list of every setting, which a refused start-up points to.
COPY tsconfig.json .env.example ./
COPY packages/protocol/src packages/protocol/src
COPY packages/server/src packages/server/src
COPY packages/server/intent-data packages/server/intent-data
COPY packages/server/demo-data packages/server/demo-data
COPY packages/server/demo-site packages/server/demo-site
COPY --from=build /app/packages/console/dist packages/console/dist
COPY --from=build /app/packages/widget/dist packages/widget/dist
COPY deploy/healthcheck.mjs deploy/healthcheck.mjs
# DATA_DIR (./data) is used only without DATABASE_URL (embedded PGlite); writable for that case.
RUN mkdir -p data && chown node:node data
USER node
EXPOSE 3000
# Liveness: the process answers. Readiness (database and Redis reachable) is /readyz: the load
# balancer's and Kubernetes' business, so that a node with a broken dependency is not restarted.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
  CMD ["node", "deploy/healthcheck.mjs", "/healthz"]
# SIGTERM: sockets are closed with 1012 (clients reconnect to another node and resume), running
# replies get SHUTDOWN_GRACE_MS (25 s) to finish. Give the container longer than that to stop
# (compose: stop_grace_period; Kubernetes: terminationGracePeriodSeconds; docker stop -t 35).
STOPSIGNAL SIGTERM
# Exec form: node is PID 1 and gets the signal itself (`--import tsx` runs in this process, unlike
# the tsx CLI, which would start a child).
CMD ["node", "--import", "tsx", "packages/server/src/main.ts"]
