#!/bin/sh
# As in the official image: every $NGINX_ENVSUBST_TEMPLATE_DIR/**/*$SUFFIX (default
# /etc/nginx/templates/*.template) becomes $NGINX_ENVSUBST_OUTPUT_DIR/<name> (default
# /etc/nginx/conf.d) with envsubst. Only variables that are defined in the environment (and match
# NGINX_ENVSUBST_FILTER, a regular expression) are replaced, so nginx's own $host etc. survive.
set -e

ME="$(basename "$0")"

entrypoint_log() {
  if [ -z "${NGINX_ENTRYPOINT_QUIET_LOGS:-}" ]; then
    echo "$@"
  fi
}

render_dir() { # template_dir suffix output_dir
  template_dir="$1" suffix="$2" output_dir="$3"
  [ -d "$template_dir" ] || return 0
  if ! find "$template_dir" -follow -type f -name "*$suffix" -print -quit | grep -q .; then
    return 0
  fi
  if [ ! -w "$output_dir" ]; then
    entrypoint_log "$ME: ERROR: $template_dir exists, but $output_dir is not writable"
    return 0
  fi
  find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
    relative_path="${template#"$template_dir/"}"
    output_path="$output_dir/${relative_path%"$suffix"}"
    subdir="$(dirname "$relative_path")"
    mkdir -p "$output_dir/$subdir"
    entrypoint_log "$ME: Running envsubst on $template to $output_path"
    envsubst "$defined_envs" <"$template" >"$output_path"
  done
}

filter="${NGINX_ENVSUBST_FILTER:-}"
# shellcheck disable=SC2016,SC2046
defined_envs="$(printf '${%s} ' $(awk "END { for (name in ENVIRON) { print ( name ~ /${filter}/ ) ? name : \"\" } }" </dev/null))"

render_dir "${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}" \
  "${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}" \
  "${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"

# Stream templates (only when the main config includes a stream block).
if [ -n "${NGINX_ENVSUBST_STREAM_TEMPLATE_DIR:-}" ] || [ -d /etc/nginx/stream-templates ]; then
  render_dir "${NGINX_ENVSUBST_STREAM_TEMPLATE_DIR:-/etc/nginx/stream-templates}" \
    "${NGINX_ENVSUBST_STREAM_TEMPLATE_SUFFIX:-.stream-template}" \
    "${NGINX_ENVSUBST_STREAM_OUTPUT_DIR:-/etc/nginx/stream-conf.d}"
fi
exit 0
