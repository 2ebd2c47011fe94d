#!/bin/bash
# A repository's packs and refs stay few over many rounds through a real `git daemon` on
# 127.0.0.1: every fetch over a network adds a pack (libgit2 keeps what it received as it came)
# and moves a ref, and before it writes an object libgit2 lists the pack folder again, and
# before it fetches it lists every ref: without merging and packing, an office's round slowed
# with every round and with the square of its nodes. After 24 rounds of 2 centres, the office
# and a centre hold at most 16 packs (sync/packs.c), the office's refs are in packed-refs, and
# nothing was lost: every object is there (git fsck), every write reached the office, and each
# centre holds exactly what the office sends it.
. "$(dirname "$0")/lib.sh" "$@"
. "$LIB_DIR/gitd.sh"

ROUNDS=24
mkdir -p "$T/gitroot"
for n in lucai xiaoxiangwan; do
	git init -q --bare "$T/gitroot/$n.git"
done
if ! gitd_start "$T/gitroot"; then
	echo "Bail out! cannot start git daemon on 127.0.0.1"
	exit 1
fi
at_cleanup gitd_stop
url() { echo "git://127.0.0.1:$GITD_PORT/$1.git"; }

hh office init --node office --kind office --name "长治市卫健委" || fail "office init"
new_node lucai childcare_centre "潞才托育中心" "$(url lucai)" || fail "lucai init"
new_node xiaoxiangwan childcare_centre "小香湾托育" "$(url xiaoxiangwan)" || fail "xiaoxiangwan init"
w lucai "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('lucai','lc-sun','太阳班','1-2',12)"
w xiaoxiangwan "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('xiaoxiangwan','xx-moon','月亮班','2-3',20)"

packs() { find "$T/$1/repo.git/objects/pack" -name '*.idx' 2>/dev/null | wc -l; }
most_office=0
most_lucai=0
for r in $(seq 1 $ROUNDS); do
	w lucai "INSERT INTO child (owner,id,name) VALUES ('lucai','lc-k$r','孩子$r')"
	w xiaoxiangwan "INSERT INTO child (owner,id,name) VALUES ('xiaoxiangwan','xx-k$r','孩子$r')"
	sync_all lucai xiaoxiangwan office
	p=$(packs office)
	[ "$p" -gt "$most_office" ] && most_office=$p
	p=$(packs lucai)
	[ "$p" -gt "$most_lucai" ] && most_lucai=$p
done
sync_all lucai xiaoxiangwan
is "$SYNC_FAILED" 0 "every sync exited 0"

check "the office held at most 16 packs in $ROUNDS rounds (most: $most_office)" test "$most_office" -le 16
check "a centre held at most 16 packs in $ROUNDS rounds (most: $most_lucai)" test "$most_lucai" -le 16
check "the office did fetch packs (more than one, so merging was needed)" \
	test "$(git -C "$T/office/repo.git" count-objects -v | sed -n 's/^in-pack: //p')" -gt 0
check "git fsck: the office's repository is whole" git -C "$T/office/repo.git" fsck --no-progress
check "git fsck: the centre's repository is whole" git -C "$T/lucai/repo.git" fsck --no-progress
is "$(find "$T/office/repo.git/refs/nodes" -type f | wc -l)" 0 \
	"after a round the office's refs are in packed-refs, not one file each"
like "$(cat "$T/office/repo.git/packed-refs")" "refs/nodes/lucai/up" "packed-refs holds the nodes' refs"
for n in lucai xiaoxiangwan; do
	is "$(git -C "$T/office/repo.git" rev-parse "refs/nodes/$n/up")" \
		"$(git -C "$T/gitroot/$n.git" rev-parse refs/heads/up)" "$n: the office's ref of its up is current"
done
is "$(hq office "SELECT count(*) FROM child")" $((2 * ROUNDS)) "every child written reached the office"
for n in lucai xiaoxiangwan; do
	cmp_dump "$n"
	is "$(h "$n" status --json | tr -d ' ' | grep -o '"pending":[0-9]*')" '"pending":0' "$n: nothing pending"
done

# A hearth killed while packing the refs leaves packed-refs.lock behind: the next round must not
# refuse to pack (every round after it failed, found by the crash test), and packs the refs.
: >"$T/office/repo.git/packed-refs.lock"
w lucai "INSERT INTO child (owner,id,name) VALUES ('lucai','lc-after-kill','孩子')"
check "lucai syncs" h lucai sync
check "the office's round succeeds past a stale packed-refs.lock" h office sync
check "the stale lock is gone" test ! -e "$T/office/repo.git/packed-refs.lock"
is "$(find "$T/office/repo.git/refs/nodes" -type f | wc -l)" 0 "and the refs are packed again"
is "$(hq office "SELECT count(*) FROM child WHERE id = 'lc-after-kill'")" 1 "the write reached the office"
done_testing
