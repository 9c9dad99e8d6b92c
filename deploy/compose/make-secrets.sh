#!/bin/sh
# Makes the secrets compose.yaml mounts (./secrets/, git-ignored), each 48 random bytes in
# base64; keeps any that already exist, so running it again never rotates a key by accident.
set -eu
cd "$(dirname "$0")"
umask 077
mkdir -p secrets
for name in hub_jwt_secret hub_subgraph_signing_key hub_mask_hash_key grafana_admin_password; do
  if [ ! -s "secrets/$name" ]; then
    head -c 48 /dev/urandom | base64 | tr -d '\n' > "secrets/$name"
    echo "made secrets/$name"
  fi
  # Read inside the containers by uid 1000 (the hub) and 472 (Grafana); the folder stays 0700.
  chmod 0644 "secrets/$name"
done
