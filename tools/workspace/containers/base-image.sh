#!/usr/bin/env bash
# TEST INFRASTRUCTURE ONLY. No image registry can be pulled from on the CI machine, so this makes a stand-in for
# the official `node:20-slim` that docker/Dockerfile starts FROM: a Debian bookworm minbase (debootstrap, from the
# Debian mirror apt uses) with this machine's Node 20 laid out as the official image does (/usr/local/bin/node,
# /usr/local/lib/node_modules/npm, a `node` user 1000:1000), imported and tagged docker.io/library/node:20-slim.
#
# It holds no CA certificate and no credential. HTTPS from a build goes through this machine's TLS interception, so
# the test mounts the machine's CA bundle read-only into the build's RUN steps at /run/mlops-test-ca/ca.crt (podman
# build --volume) and this base points npm at that path (npm_config_cafile, read by npm only): the CA itself never
# enters an image layer.
#
# Cached between runs when safe: the image carries a label with a digest of this script and of the Node binary it
# was made from; a matching image is reused, any other image made by this script is replaced, and an image of that
# name NOT made here (a real pulled node:20-slim) is left alone and used as it is.
#
# Usage: base-image.sh  (needs root, podman, debootstrap; CONTAINERS_CONF set as test-containers.mjs sets it)
set -euo pipefail

TAG=docker.io/library/node:20-slim
LABEL=org.mlops-obesity.test-base
NODE_BIN=$(readlink -f "$(command -v node)")
NPM_DIR=$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")
KEY=$(cat "$0" "$NODE_BIN" | sha256sum | cut -c1-16)

if podman image exists "$TAG"; then
  have=$(podman image inspect --format "{{ index .Labels \"$LABEL\" }}" "$TAG" 2>/dev/null || true)
  if [ -z "$have" ] || [ "$have" = "<no value>" ]; then
    echo "base image: $TAG exists and was not made by this script: using it as it is"
    exit 0
  fi
  if [ "$have" = "$KEY" ]; then
    echo "base image: $TAG (test stand-in $KEY) is current: reused"
    exit 0
  fi
  echo "base image: $TAG is an older test stand-in ($have): rebuilding"
fi

MIRROR=$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
MIRROR=${MIRROR:-http://deb.debian.org/debian}

work=$(mktemp -d /var/tmp/mlops-base.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs=$work/rootfs
echo "base image: debootstrap --variant=minbase bookworm from $MIRROR"
debootstrap --variant=minbase bookworm "$rootfs" "$MIRROR" >"$work/debootstrap.log" 2>&1 || {
  tail -20 "$work/debootstrap.log" >&2
  exit 1
}

# Node as the official image lays it out.
install -m 0755 "$NODE_BIN" "$rootfs/usr/local/bin/node"
mkdir -p "$rootfs/usr/local/lib/node_modules"
cp -a "$NPM_DIR" "$rootfs/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
chroot "$rootfs" groupadd --gid 1000 node
chroot "$rootfs" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
# Slim, as the official image is: no apt lists, docs or caches.
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/*

tar -C "$rootfs" -c . | podman import \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV NODE_VERSION='"$("$NODE_BIN" --version | tr -d v)" \
  --change "LABEL $LABEL=$KEY" \
  --change 'ENV npm_config_cafile=/run/mlops-test-ca/ca.crt' \
  --change 'CMD ["node"]' \
  -q - "$TAG" >/dev/null
echo "base image: $TAG made ($(podman image inspect --format '{{.Size}}' "$TAG" | awk '{printf "%.0f MB", $1/1e6}'))"
