# syntax=docker/dockerfile:1
# One image for the gateway (the default command) and the IVS emulator (command
# `node --import tsx emulator/main.ts`). TypeScript runs through tsx, a production dependency: there is no
# build step, so the image holds the sources as they are in the repository. docs/deployment.md explains it;
# test/deploy/ checks this file's rules and runs what the image would run (the build itself was not run there).

# The Node release the test suite runs on; pin a digest (node:…@sha256:…) where your registry allows it.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

# Production dependencies only, exactly as the lockfile has them; no install scripts run.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4000 \
    IVS_EMULATOR_HOST=0.0.0.0
WORKDIR /app
# Owned by root, read-only for the `node` user that runs them.
COPY --from=deps /app/node_modules ./node_modules
COPY package.json package-lock.json ./
COPY model ./model
COPY emulator ./emulator
COPY src ./src
USER node
EXPOSE 4000
# No curl in the slim image: Node's fetch. The emulator's command needs its own check (compose.yaml has it).
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||4000)+'/health',{signal:AbortSignal.timeout(2000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself is PID 1 (not npm), so SIGTERM reaches the gateway, which drains (DRAIN_TIMEOUT_MS) and exits.
CMD ["node", "--import", "tsx", "src/main.ts"]
