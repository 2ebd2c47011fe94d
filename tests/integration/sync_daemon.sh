#!/bin/bash
# Sync over a real `git daemon --enable=receive-pack` on 127.0.0.1: an office, two childcare
# centres and a hospital edit offline, sync in several orders, and end up each holding exactly
# the office's view of what it may see (`hearth dump` = `hearth dump --for NODE` at the office).
. "$(dirname "$0")/lib.sh" "$@"
. "$LIB_DIR/gitd.sh"

mkdir -p "$T/gitroot"
for n in $STORY_NODES; do
	git init -q --bare "$T/gitroot/$n.git"
done
if ! gitd_start "$T/gitroot"; then
	echo "Bail out! cannot start git daemon on 127.0.0.1"
	exit 1
fi
at_cleanup gitd_stop   # gitd_start set its own EXIT trap: take it back, stopping it too
daemon_url() {
	echo "git://127.0.0.1:$GITD_PORT/$1.git"
}
story daemon_url

for n in $STORY_NODES; do
	is "$(git -C "$T/gitroot/$n.git" rev-parse -q --verify refs/heads/up)" \
		"$(git -C "$T/$n/repo.git" rev-parse -q --verify refs/heads/up)" \
		"$n: its up reached the daemon"
	check "$n: the office's down reached the daemon" \
		git -C "$T/gitroot/$n.git" rev-parse -q --verify refs/heads/down
done
is "$(h lucai remote list)" "office git://127.0.0.1:$GITD_PORT/lucai.git" "lucai's remote is the daemon"

pid_was=$GITD_PID
gitd_stop
check_not "the daemon is stopped" kill -0 "$pid_was"
done_testing
