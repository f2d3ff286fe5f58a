#!/bin/bash
# Stand-in for the upstream nginx image's /docker-entrypoint.sh with its
# 20-envsubst-on-templates.sh: each /etc/nginx/templates/X.template becomes /etc/nginx/conf.d/X,
# substituting only the environment's variables (nginx's own $variables stay).
set -euo pipefail
if [ "${1:-}" = nginx ] || [ "${1:-}" = nginx-debug ]; then
  template_dir="${NGINX_ENVSUBST_TEMPLATE_DIR:-/etc/nginx/templates}"
  output_dir="${NGINX_ENVSUBST_OUTPUT_DIR:-/etc/nginx/conf.d}"
  suffix="${NGINX_ENVSUBST_TEMPLATE_SUFFIX:-.template}"
  defined_envs="$(printf '${%s} ' $(env | cut -d= -f1))"
  if [ -d "$template_dir" ] && [ -w "$output_dir" ]; then
    find "$template_dir" -follow -type f -name "*$suffix" -print | while read -r template; do
      relative_path="${template#"$template_dir/"}"
      output_path="$output_dir/${relative_path%"$suffix"}"
      mkdir -p "$(dirname "$output_path")"
      echo "$0: Running envsubst on $template to $output_path"
      envsubst "$defined_envs" < "$template" > "$output_path"
    done
  fi
fi
exec "$@"
