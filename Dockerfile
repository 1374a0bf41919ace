# Vigil server image: `vigil demo` (the server with the demo model computed) by default; override the
# command with `node bin/vigil.js serve` for an empty server. Used by docker-compose.yml.

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 falls back to compiling when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Scripts off: `prepare` would build before the sources are copied; better-sqlite3 is built just after.
RUN npm ci --ignore-scripts --no-audit --no-fund && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.backend.json ./
COPY backend ./backend
RUN npx tsc -p tsconfig.backend.json && npm prune --omit=dev --ignore-scripts

FROM node:20-bookworm-slim
WORKDIR /app
# MALLOC_ARENA_MAX: fewer glibc arenas for the server's threads, less RSS (docs/server.md "Performance").
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    VIGIL_PORT=8700 \
    VIGIL_DB=/data/vigil.db
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/build ./build
COPY package.json ./
COPY bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 8700
# Healthy = ready (/readyz: models loaded, demo data in), so compose starts Grafana once there is data;
# /healthz is the liveness probe (it answers as soon as the port is open).
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:8700/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "bin/vigil.js", "demo", "--port", "8700", "--db", "/data/vigil.db"]
