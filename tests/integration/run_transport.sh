#!/bin/bash
# Run the transport test against a real git daemon on 127.0.0.1.
# usage: run_transport.sh TEST_BINARY
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/gitd.sh"

root=$(mktemp -d "${TMPDIR:-/tmp}/hearth-gitd-XXXXXX") || exit 1
cleanup() {
	gitd_stop
	rm -rf "$root"
}
trap cleanup EXIT

if gitd_start "$root"; then
	trap cleanup EXIT
	GITD_URL="git://127.0.0.1:$GITD_PORT" GITD_ROOT="$root" "$1"
else
	# without a daemon the test skips its git:// part and runs the rest
	"$1"
fi
