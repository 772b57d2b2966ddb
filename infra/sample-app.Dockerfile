# The sample app (sample-app/), built from the repository root:
#   docker build -f infra/sample-app.Dockerfile .
# Same steps as `npm start` (build the library, compile sample-app/, run it), split so the
# build happens once, at image build time, and the container's main process is node itself:
# under `npm start` the chain npm -> sh -> node does not reliably pass SIGTERM on to node, and
# a `docker stop` would then kill the app before it flushes its spans.
# test/infra/compose.spec.ts checks that the start line below matches package.json's "start".
FROM node:20.20.2-bookworm-slim

ENV npm_config_update_notifier=false \
    npm_config_fund=false

# Everything belongs to the unprivileged `node` user (the build writes dist/).
RUN mkdir /app && chown node:node /app
WORKDIR /app
USER node

# Dependencies first, so a source change does not reinstall them. Dev dependencies are needed:
# the build uses TypeScript.
COPY --chown=node:node package.json package-lock.json .npmrc ./
RUN npm ci

COPY --chown=node:node . .
RUN npm run build && npx tsc -p tsconfig.sample.json

EXPOSE 8080
CMD ["node", "dist/sample-app/main.js"]
