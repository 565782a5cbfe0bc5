# syntax=docker/dockerfile:1
# One image for both processes: the API (default command) and the worker (`node dist/worker.js`).
# Node 24 LTS. It runs as the unprivileged `node` user over a read-only /app: nothing is written into
# the image at run time (file and export bytes live in MongoDB GridFS, logs go to stdout), so the
# container also runs with a read-only root filesystem (see docker-compose.yml).

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json tsconfig.migrations.json nest-cli.json ./
COPY src ./src
COPY migrations ./migrations
COPY scripts/build.js ./scripts/
# dist/ holds the processes and dist/migrations/ the migrations: `node dist/cli.js migrate up` runs them.
RUN npm run build && npm prune --omit=dev

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
# Owned by root, readable by all: the `node` user runs the code and cannot change it.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000 9100
CMD ["node", "dist/main.js"]
