# syntax=docker/dockerfile:1
# aidev: the JavaScript `npm run build` compiles, run as `npx aidev` runs it, on Node.js 22 (the
# current LTS). Kept correct by reading (no Docker engine runs where aidev is developed); see
# README "Storage" and "Workers".

ARG NODE_IMAGE=node:22-bookworm-slim

# 1. Production dependencies only. No install scripts: `prepare` builds with TypeScript, which is a
#    development dependency; the compiled output comes from stage 2.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# 2. The full toolchain: the image is only built from sources that typecheck, and ships their
#    compiled output (dist/).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run typecheck && npm run build

# 3. Runtime: non-root, bubblewrap for the agents' sandbox, git for repositories.
FROM ${NODE_IMAGE} AS runtime
RUN apt-get update \
  && apt-get install -y --no-install-recommends bubblewrap git tini ca-certificates \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    AIDEV_DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY bin ./bin
COPY --from=build /app/dist ./dist
# Read at run time from the installation (src/package-root.ts): the schema, the shipped
# workflows, prompts, the demo's sample and its recorded transcript.
COPY src/store/migrations ./src/store/migrations
COPY workflows ./workflows
COPY prompts ./prompts
COPY demo ./demo
COPY transcripts ./transcripts
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# Liveness of `aidev serve`; Node's fetch, so the image needs no curl.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["tini", "--", "node", "bin/aidev.js"]
# Slack, the REST API, health and metrics, with a worker in the same process. For more
# throughput, run further containers with `worker` against the same PostgreSQL (DATABASE_URL).
CMD ["serve"]
