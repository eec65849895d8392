# hedgestack — one process: chat adapters, web admin, exchange clients, SQLite under /data.
# docker build -t hedgestack . && docker run -p 3000:3000 -v hedgestack-data:/data --env-file .env hedgestack

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
COPY tools ./tools
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY locales ./locales
COPY views ./views
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    DATA_DIR=/data \
    PORT=3000 \
    # Inside the container the server must listen on all interfaces for -p to reach it;
    # publish the port only behind TLS or on 127.0.0.1 (-p 127.0.0.1:3000:3000).
    ADMIN_HOST=0.0.0.0
WORKDIR /app
COPY --from=build /app /app
# The data directory is its owner's alone (a new named volume takes this mode).
RUN mkdir -p /data && chown node:node /data && chmod 700 /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# tsx runs the TypeScript sources directly (the generated Prisma client is TypeScript too).
# A 64 MiB young generation (V8's default tops out at 16): a copy fan-out allocates fast and
# short-lived, and fewer scavenges cut its CPU (see README, "Runtime flag"). Same as npm start.
CMD ["node", "--max-semi-space-size=64", "--import", "tsx", "src/main.ts"]
