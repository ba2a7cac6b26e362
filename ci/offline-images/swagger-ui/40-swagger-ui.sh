#!/bin/sh
# Configure swagger-ui from the environment, like the official swaggerapi/swagger-ui image:
#   spec URL precedence: URLS (JSON array) > URL > SWAGGER_JSON_URL > SWAGGER_JSON (file, served
#   next to the UI as ./<name>) > the petstore example.
#   BASE_URL (default /) and PORT (default 8080) shape the nginx server; CORS=true adds headers.
#   Display options: CONFIG_URL, DEEP_LINKING, DOC_EXPANSION, DEFAULT_MODELS_EXPAND_DEPTH,
#   DEFAULT_MODEL_EXPAND_DEPTH, DISPLAY_OPERATION_ID, DISPLAY_REQUEST_DURATION, FILTER,
#   LAYOUT, MAX_DISPLAYED_TAGS, OAUTH2_REDIRECT_URL, PERSIST_AUTHORIZATION, QUERY_CONFIG_ENABLED,
#   SHOW_EXTENSIONS, SHOW_COMMON_EXTENSIONS, SUPPORTED_SUBMIT_METHODS, TRY_IT_OUT_ENABLED,
#   VALIDATOR_URL, WITH_CREDENTIALS.
set -e

root=/usr/share/nginx/html
base="${BASE_URL:-/}"
case "$base" in /*) ;; *) base="/$base" ;; esac
base="${base%/}"            # "" for the site root, "/docs" otherwise

js_string() { printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"; }

# key: value lines for SwaggerUIBundle({...}); strings quoted, the rest passed as JS literals.
options=""
add_raw() { [ -z "$2" ] || options="$options    $1: $2,
"; }
add_str() { [ -z "$2" ] || add_raw "$1" "$(js_string "$2")"; }

if [ -n "${URLS:-}" ]; then
  add_raw urls "$URLS"
  add_str "\"urls.primaryName\"" "${URLS_PRIMARY_NAME:-}"
elif [ -n "${URL:-}" ]; then
  add_str url "$URL"
elif [ -n "${SWAGGER_JSON_URL:-}" ]; then
  add_str url "$SWAGGER_JSON_URL"
elif [ -n "${SWAGGER_JSON:-}" ] && [ -f "$SWAGGER_JSON" ]; then
  ln -sf "$SWAGGER_JSON" "$root/$(basename "$SWAGGER_JSON")"
  add_str url "./$(basename "$SWAGGER_JSON")"
else
  add_str url "https://petstore.swagger.io/v2/swagger.json"
fi
add_str configUrl "${CONFIG_URL:-}"
add_raw deepLinking "${DEEP_LINKING:-true}"
add_str docExpansion "${DOC_EXPANSION:-}"
add_raw defaultModelsExpandDepth "${DEFAULT_MODELS_EXPAND_DEPTH:-}"
add_raw defaultModelExpandDepth "${DEFAULT_MODEL_EXPAND_DEPTH:-}"
add_raw displayOperationId "${DISPLAY_OPERATION_ID:-}"
add_raw displayRequestDuration "${DISPLAY_REQUEST_DURATION:-}"
case "${FILTER:-}" in true | false | "") add_raw filter "${FILTER:-}" ;; *) add_str filter "$FILTER" ;; esac
add_raw maxDisplayedTags "${MAX_DISPLAYED_TAGS:-}"
add_str oauth2RedirectUrl "${OAUTH2_REDIRECT_URL:-}"
add_raw persistAuthorization "${PERSIST_AUTHORIZATION:-}"
add_raw queryConfigEnabled "${QUERY_CONFIG_ENABLED:-}"
add_raw showExtensions "${SHOW_EXTENSIONS:-}"
add_raw showCommonExtensions "${SHOW_COMMON_EXTENSIONS:-}"
add_raw supportedSubmitMethods "${SUPPORTED_SUBMIT_METHODS:-}"
add_raw tryItOutEnabled "${TRY_IT_OUT_ENABLED:-}"
case "${VALIDATOR_URL:-}" in none | null) add_raw validatorUrl null ;; *) add_str validatorUrl "${VALIDATOR_URL:-}" ;; esac
add_raw withCredentials "${WITH_CREDENTIALS:-}"

cat >"$root/swagger-initializer.js" <<EOF_JS
window.onload = function () {
  window.ui = SwaggerUIBundle({
$options    dom_id: "#swagger-ui",
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: $(js_string "${LAYOUT:-StandaloneLayout}"),
  });
};
EOF_JS

cors=""
if [ "${CORS:-true}" = "true" ]; then
  cors='add_header Access-Control-Allow-Origin "*" always;
        add_header Access-Control-Allow-Methods "GET, POST, PUT, DELETE, OPTIONS" always;
        add_header Access-Control-Allow-Headers "Content-Type, api_key, Authorization" always;'
fi

if [ -z "$base" ]; then
  location="location / {
        root $root;
        index index.html;
        $cors
    }"
else
  location="location = $base { return 301 $base/; }
    location $base/ {
        alias $root/;
        index index.html;
        $cors
    }"
fi

cat >/etc/nginx/conf.d/swagger-ui.conf <<EOF_CONF
server {
    listen ${PORT:-8080};
    server_name localhost;
    absolute_redirect off;
    $location
}
EOF_CONF
echo "$0: swagger-ui on port ${PORT:-8080} at ${base:-/}/"
