# syntax=docker/dockerfile:1.7
#
# maas images, one Dockerfile for the whole monorepo (docker-compose.yml uses both targets):
#
#   runtime (default)  API, training worker, console and the one-shot migrate command, with
#                      onnxruntime-node's CPU binaries (they ship inside the npm package).
#                      docker build -t maas .
#   gpu                the standalone inference worker with onnxruntime-node's CUDA 12 execution
#                      provider, on NVIDIA's CUDA 12 + cuDNN 9 runtime image.
#                      docker build --target gpu -t maas-gpu .
#
# Every image runs as a non-root user and reads its configuration from the environment
# (see docs/configuration.md); the command picks the process:
#   node apps/api/dist/main.js | node apps/worker/dist/main.js | node apps/supervisor/dist/migrate.js
#   node apps/inference-worker/dist/main.js | node_modules/.bin/next start (in apps/console)

ARG NODE_IMAGE=node:20-bookworm-slim
# onnxruntime-node's CUDA 12 build needs CUDA 12.x and cuDNN 9.x at run time.
ARG CUDA_IMAGE=nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS base
ENV NEXT_TELEMETRY_DISABLED=1 \
    TURBO_TELEMETRY_DISABLED=1 \
    NPM_CONFIG_UPDATE_NOTIFIER=false \
    NPM_CONFIG_FUND=false \
    NPM_CONFIG_AUDIT=false
# The lockfile and package.json's "allowScripts" (which keeps onnxruntime-node's download out of
# every install) are npm 11's; the Node 20 image ships npm 10.
RUN npm install --global npm@11.19.1 && npm cache clean --force
WORKDIR /app

# ---------------------------------------------------------------------------------------------
# Only the manifests, so the `npm ci` layer below is rebuilt when dependencies change, not on
# every source edit.
FROM base AS manifests
COPY . /src
RUN mkdir -p /manifests \
 && cd /src \
 && cp package.json package-lock.json .npmrc /manifests/ \
 && find apps packages -mindepth 2 -maxdepth 2 -name package.json -exec cp --parents {} /manifests/ \;

# ---------------------------------------------------------------------------------------------
FROM base AS deps
COPY --from=manifests /manifests/ ./
# CPU images never download onnxruntime-node's CUDA binaries (also denied by allowScripts).
ENV ONNXRUNTIME_NODE_INSTALL=skip
RUN --mount=type=cache,target=/root/.npm npm ci

# ---------------------------------------------------------------------------------------------
FROM deps AS build
COPY . .
RUN npx turbo run build --filter="./apps/*" --output-logs=errors-only
# What ships: no TypeScript, Vitest or ESLint, and onnxruntime-node's binaries for Linux only
# (its macOS and Windows ones are ~220 MB).
RUN npm prune --omit=dev \
 && rm -rf node_modules/onnxruntime-node/bin/napi-v*/darwin node_modules/onnxruntime-node/bin/napi-v*/win32

# ---------------------------------------------------------------------------------------------
FROM base AS runtime
ENV NODE_ENV=production \
    MAAS_DATA_DIR=/data
COPY --from=build /app /app
# The application stays root-owned and read-only to the user it runs as; only its state folders
# are writable (Next.js keeps a cache under .next/cache).
RUN mkdir -p /data apps/console/.next/cache \
 && chown node:node /data apps/console/.next/cache
USER node
EXPOSE 4000 3000
CMD ["node", "apps/api/dist/main.js"]

# ---------------------------------------------------------------------------------------------
FROM build AS gpu-build
# package.json's allowScripts keeps onnxruntime-node's install script out of `npm ci`; here it
# runs on purpose and downloads the CUDA 12 execution provider next to the bundled binaries.
ENV ONNXRUNTIME_NODE_INSTALL=cuda12
RUN node node_modules/onnxruntime-node/script/install \
 && ls node_modules/onnxruntime-node/bin/napi-v*/linux/x64/libonnxruntime_providers_cuda.so

# ---------------------------------------------------------------------------------------------
FROM ${CUDA_IMAGE} AS gpu
# Node.js from the official image the rest was built with (same ABI for the native modules).
COPY --from=base /usr/local/bin/node /usr/local/bin/node
RUN useradd --system --uid 10001 --user-group --create-home maas
ENV NODE_ENV=production \
    MAAS_DATA_DIR=/data \
    INFERENCE_PORT=8000 \
    ORT_EXECUTION_PROVIDERS=cuda,cpu \
    NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
WORKDIR /app
COPY --from=gpu-build /app /app
RUN mkdir -p /data && chown maas:maas /data
USER maas
EXPOSE 8000
CMD ["node", "apps/inference-worker/dist/main.js"]
