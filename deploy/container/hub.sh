#!/bin/sh
# The image's one command. The role comes first:
#   hub gateway [--open]         the gateway (GATEWAY_WORKERS processes on GATEWAY_PORT)
#   hub subgraph <agency>        one agency's subgraph (its database under HUB_DATA_DIR)
#   hub <command> …              any command of the operator CLI: seed, token, audit verify, …
# Each role is exec'd, so the process receives the container's SIGTERM itself and drains.
set -eu
cd /app
role="${1:-gateway}"
[ "$#" -gt 0 ] && shift
case "$role" in
  gateway)
    # gateway/dist/main.js is what `npm start` runs: it forks GATEWAY_WORKERS workers.
    exec node gateway/dist/main.js "$@"
    ;;
  subgraph)
    agency="${1:-}"
    case "$agency" in
      '' | *[!a-z-]*) agency='' ;;
    esac
    if [ -z "$agency" ] || [ ! -f "subgraphs/$agency/dist/main.js" ]; then
      echo "hub subgraph: name an agency: $(ls -d subgraphs/*/dist/main.js | cut -d/ -f2 | tr '\n' ' ')" >&2
      exit 2
    fi
    shift
    exec node "subgraphs/$agency/dist/main.js" "$@"
    ;;
  *)
    exec node scripts/bin/hub.js "$role" "$@"
    ;;
esac
