# ToTrackIt web UI image: the Vite build served by nginx as an unprivileged user, with the same
# caching as the API's built-in UI (hashed /assets/ immutable, index.html revalidated, gzip) and
# the API paths proxied to the API service.
#
#   DOCKER_BUILDKIT=1 docker build -f deploy/docker/ui.Dockerfile -t totrackit-ui:dev .
#   docker run -p 3000:8080 -e TOTRACKIT_API_UPSTREAM=api:8080 totrackit-ui:dev
#
# Runtime settings (environment):
#   TOTRACKIT_API_UPSTREAM  host:port of the API (default api:8080), resolved per request through
#                           the container's DNS resolver, so API restarts and replicas are followed.
# It listens on 8080, runs as UID 101 (nginx) and writes only to /tmp: read-only root filesystems
# work with a tmpfs on /tmp.

ARG NODE_IMAGE=node:22-slim
ARG NGINX_IMAGE=nginx:1.27-alpine

FROM ${NODE_IMAGE} AS build
WORKDIR /ui
COPY ui/package.json ui/package-lock.json ./
RUN --mount=type=secret,id=ca_bundle,target=/run/secrets/ca_bundle \
    --mount=type=cache,target=/root/.npm \
    if [ -s /run/secrets/ca_bundle ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/ca_bundle; fi; \
    npm ci --no-audit --no-fund --loglevel=error
COPY ui/ ./
RUN npm run --silent build

FROM ${NGINX_IMAGE} AS runtime
ARG VERSION=0.0.0+local
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="totrackit-ui" \
      org.opencontainers.image.description="ToTrackIt web UI (static files) with a reverse proxy to the ToTrackIt API" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0"
COPY deploy/docker/ui/nginx.conf /etc/nginx/nginx.conf
COPY deploy/docker/ui/totrackit.conf.template /etc/nginx/templates/totrackit.conf.template
# The stock site listens on :80 (root only); the generated config goes to /tmp (writable).
RUN rm -f /etc/nginx/conf.d/default.conf \
    && rm -rf /usr/share/nginx/html/*
COPY --from=build /ui/dist/ /usr/share/nginx/html/
ENV TOTRACKIT_API_UPSTREAM=api:8080 \
    NGINX_ENVSUBST_OUTPUT_DIR=/tmp \
    NGINX_ENTRYPOINT_LOCAL_RESOLVERS=1 \
    NGINX_ENTRYPOINT_QUIET_LOGS=1
USER 101:101
EXPOSE 8080
STOPSIGNAL SIGQUIT
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/healthz"]
CMD ["nginx", "-g", "daemon off;"]
