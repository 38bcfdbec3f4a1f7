#!/bin/sh
# Entrypoint of every runtime image (docker/Dockerfile). POSIX sh: the slim image has no bash guarantees.
#
# DVC remote for this run: DVC_REMOTE_NAME + DVC_REMOTE_URL select (and define, if new) the default remote. They are
# applied by mlops-dvc itself, in memory, for this run only: nothing here or there writes .dvc/config (the
# predecessor's entrypoint ran `dvc remote add -d -f`, rewriting the host's bind-mounted tracked config). Compose
# passes an unset variable as an empty string (${VAR:-}), so empty means unset; setting only one is bad input.
set -eu

for name in DVC_REMOTE_NAME DVC_REMOTE_URL; do
  eval "value=\${$name:-}"
  if [ -z "$value" ]; then unset "$name"; fi
done
if [ -n "${DVC_REMOTE_NAME:-}" ] && [ -n "${DVC_REMOTE_URL:-}" ]; then
  export DVC_REMOTE_NAME DVC_REMOTE_URL
  # The URL may carry credentials (https://user:token@host/...): never print them.
  shown=$(printf '%s' "$DVC_REMOTE_URL" | sed 's#^\([A-Za-z0-9+.-]*://\)[^/@]*@#\1***@#')
  echo "entrypoint: DVC remote for this run: $DVC_REMOTE_NAME -> $shown (.dvc/config unchanged)" >&2
elif [ -n "${DVC_REMOTE_NAME:-}${DVC_REMOTE_URL:-}" ]; then
  echo "entrypoint: DVC_REMOTE_NAME and DVC_REMOTE_URL must be set together (or neither)" >&2
  exit 2
fi

if [ "$#" -eq 0 ]; then
  echo "entrypoint: no command given" >&2
  exit 2
fi
exec "$@"
