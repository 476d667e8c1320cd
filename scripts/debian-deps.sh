#!/usr/bin/env bash
# Installs the Debian packages given as NAME=VERSION, but only those not installed yet, and
# says so in one line; apt's own output goes to a log that is shown only when it fails.
# Usage: scripts/debian-deps.sh LOG NAME=VERSION...
set -euo pipefail
log=$1
shift
missing=()
for spec in "$@"; do
  name=${spec%%=*}
  want=${spec#*=}
  have=$(dpkg-query -W -f='${db:Status-Status} ${Version}' "$name" 2>/dev/null || true)
  case $have in
    "installed $want") ;;
    installed\ *) echo "debian-deps: $name ${have#installed } is installed, not the pinned $want; using it" ;;
    *) missing+=("$spec") ;;
  esac
done
[ ${#missing[@]} -eq 0 ] && exit 0

names=$(printf '%s ' "${missing[@]%%=*}")
echo "debian-deps: installing ${names% } (apt log: $log)"
sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo
mkdir -p "$(dirname "$log")"
export DEBIAN_FRONTEND=noninteractive
if ! { $sudo apt-get install -y --no-install-recommends "${missing[@]}" ||
       { $sudo apt-get update && $sudo apt-get install -y --no-install-recommends "${missing[@]}"; }; } >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  echo "debian-deps: could not install ${names% }: see $log" >&2
  exit 1
fi
