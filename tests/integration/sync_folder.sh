#!/bin/bash
# Sync through bare repositories in a folder (a USB stick), no server: an office, two childcare
# centres and a hospital edit offline, sync in several orders, and end up each holding exactly
# the office's view of what it may see.
. "$(dirname "$0")/lib.sh" "$@"

mkdir -p "$T/usb"
for n in $STORY_NODES; do
	git init -q --bare "$T/usb/$n.git"
done
usb_url() {
	echo "$T/usb/$1.git"
}
story usb_url

# the stick holds each node's branches, and nothing else
for n in $STORY_NODES; do
	check "$n: the stick holds up" git -C "$T/usb/$n.git" rev-parse --verify -q refs/heads/up
	check "$n: the stick holds down" git -C "$T/usb/$n.git" rev-parse --verify -q refs/heads/down
done
done_testing
