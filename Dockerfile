# Cairn: one image for every program (cairn start | node | stanchion | s3, cairn-admin).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src src
COPY ring ring
COPY stanchion stanchion
COPY bench bench
COPY scripts scripts
COPY console console
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
# glibc keeps freed Buffer memory in its arenas unless told otherwise (see the README).
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072
COPY --from=build /app/node_modules node_modules
COPY --from=build /app/dist dist
COPY package.json ./
COPY bin bin
# docker-compose's cluster-init runs it (plain sh: the image has no bash).
COPY scripts/cluster-init.sh scripts/cluster-init.sh
ENTRYPOINT ["node", "/app/dist/src/main.js"]
CMD ["start", "--host", "0.0.0.0", "--data-dir", "/data"]
