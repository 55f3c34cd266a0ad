# forecare gateway image: build in one stage, run as a non-root user in a slim one.
FROM node:24-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.json tsconfig.base.json ./
COPY firmware-contracts/package.json firmware-contracts/
COPY rules/package.json rules/
COPY gateway/package.json gateway/
COPY device-sim/package.json device-sim/
COPY dashboards/package.json dashboards/
COPY tests/package.json tests/
RUN npm ci
COPY . .
RUN npx tsc -b firmware-contracts/tsconfig.build.json rules/tsconfig.build.json gateway/tsconfig.build.json device-sim/tsconfig.build.json && npm run build:assets --workspaces --if-present && npm prune --omit=dev

FROM node:24-bookworm-slim
ENV NODE_ENV=production FORECARE_HOST=0.0.0.0 FORECARE_DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=node:node /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 1883 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s CMD node -e "fetch('http://127.0.0.1:'+(process.env.FORECARE_HTTP_PORT||8080)+'/api/v1/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# A larger young generation: ingest allocates short-lived objects per message (measured in the ingest bench).
CMD ["node", "--max-semi-space-size=64", "gateway/dist/cli/main.js", "start"]
