# The sample app (sample-app/), built from the repository root:
#   docker build -f infra/sample-app.Dockerfile .
# `npm start` builds the library and starts the gateway + orders microservice in one process.
FROM node:20.20.2-bookworm-slim

ENV npm_config_update_notifier=false \
    npm_config_fund=false

# Everything belongs to the unprivileged `node` user: `npm start` rebuilds dist/ at start.
RUN mkdir /app && chown node:node /app
WORKDIR /app
USER node

# Dependencies first, so a source change does not reinstall them. Dev dependencies are needed:
# the build uses TypeScript.
COPY --chown=node:node package.json package-lock.json .npmrc ./
RUN npm ci

COPY --chown=node:node . .
RUN npm run build

EXPOSE 8080
CMD ["npm", "start"]
