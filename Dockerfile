# syntax=docker/dockerfile:1
# One image for the gateway (the default command) and the IVS emulator (command `node dist/emulator.js`).
# The build stage bundles the TypeScript sources into dist/ (scripts/build.ts, esbuild: the project's own
# modules in one file per program, packages left to node_modules), so that the image starts plain
# JavaScript: about half the CPU of a start through tsx. docs/deployment.md explains it; test/deploy/
# checks this file's rules and runs what the image would run (the image build itself was not run there).

# The Node release the test suite runs on; pin a digest (node:…@sha256:…) where your registry allows it.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# Production dependencies only, exactly as the lockfile has them; no install scripts run.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# dist/ from the sources, with the tools that are production dependencies (tsx and esbuild): no install here.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY model ./model
COPY emulator ./emulator
COPY src ./src
COPY scripts/build.ts ./scripts/build.ts
RUN node --import tsx scripts/build.ts

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    IVS_EMULATOR_HOST=0.0.0.0
WORKDIR /app
# Owned by root, read-only for the `node` user that runs them.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY --from=build /app/dist ./dist
USER node
EXPOSE 4000
# No curl in the slim image: Node's fetch. The emulator's command needs its own check (compose.yaml has it).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/health',{signal:AbortSignal.timeout(2000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself is PID 1 (not npm), so SIGTERM reaches the gateway, which drains (DRAIN_TIMEOUT_MS) and exits.
CMD ["node", "dist/main.js"]
