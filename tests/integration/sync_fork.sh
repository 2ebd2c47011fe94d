#!/bin/bash
# Two copies of one centre: a folder copied to a second PC, and an old device back after
# `clone` restored the centre elsewhere. Every acknowledged write of both copies reaches the
# office exactly once, both copies converge with it, and the person is told in one line what
# happened and what to do.
. "$(dirname "$0")/lib.sh" "$@"

same_as_office() { # FOLDER NODE DESC: the copy holds exactly the office's view of NODE
	is "$(h "$1" dump)" "$(h office dump --for "$2")" "$3"
}

centre() { # NODE FOLDER: a centre on its own stick, synced once with the office both ways
	git init -q --bare "$T/$1.git"
	h office remote add "$1" "$T/$1.git" >/dev/null
	h "$2" init --node "$1" --kind childcare_centre --name "$1" >/dev/null
	h "$2" remote add office "$T/$1.git" >/dev/null
	h "$2" sync >/dev/null && h office sync >/dev/null && h "$2" sync >/dev/null
}

child() { # NODE ID NAME: one acknowledged write
	h "$1" exec "INSERT INTO child (owner,id,name) VALUES (hearth_node(),'$2','$3')" >/dev/null
}

# ---- the issue's reproduction: pc1 copied to pc2 "as a backup" -------------------------------
cd "$T" || exit 1
git init -q --bare stick.git
h office init --node office --kind office --name O >/dev/null
h office remote add c "$T/stick.git" >/dev/null
h pc1 init --node c --kind childcare_centre --name C >/dev/null
h pc1 remote add office "$T/stick.git" >/dev/null
h pc1 sync >/dev/null
h office sync >/dev/null
h pc1 sync >/dev/null
cp -a pc1 pc2
child pc1 a 甲
child pc2 b 乙
h pc1 sync >/dev/null
h office sync >/dev/null
up_before=$(git -C stick.git rev-parse up)

out=$(h pc2 sync 2>&1)
rc=$?
is "$rc" 1 "pc2 sync after pc1's: exit 1"
like "$out" "another copy of node 'c' has synced since this copy last did" \
	"pc2 is told in one line that it was forked"
like "$out" "run 'hearth rejoin'" "... and what to do"
unlike "$out" "nothing lost" "no 'nothing lost' summary for a copy that sent nothing"
is "$(printf '%s\n' "$out" | wc -l)" 1 "the explanation is one line"
is "$(git -C stick.git rev-parse up)" "$up_before" "the stick's up did not move back"
is "$(hq pc2 "SELECT id FROM child WHERE owner = 'c' ORDER BY id")" "b" "pc2 keeps its row b"
is "$(sq pc2 "SELECT count(*) FROM hearth_outbox")" 1 "pc2 keeps its pending entry"
like "$(h pc2 status)" "another copy of node 'c'" "status shows the fork"

out=$(h office sync 2>&1)
is "$?" 0 "office sync after the refused push"
unlike "$out" "1 commit quarantined" "the office quarantines nothing"

out=$(h pc2 rejoin 2>&1)
is "$?" 0 "pc2 rejoin"
like "$out" "1 change of this copy re-recorded" "rejoin says what it re-recorded"
is "$(sq pc2 "SELECT seq FROM hearth_outbox")" 3 "pc2's entry is re-recorded as seq 3"
h office sync >/dev/null
is "$(hq office "SELECT id FROM child WHERE owner = 'c' ORDER BY id" | tr '\n' ' ')" "a b " \
	"the office holds a and b"
is "$(sq office "SELECT count(*) FROM hearth_applied WHERE node = 'c'")" 3 \
	"the office merged c's three entries once each"

out=$(h pc1 sync 2>&1)
is "$?" 1 "pc1, overtaken by pc2's rejoin, is told too"
like "$out" "run 'hearth rejoin'" "pc1 gets the same one line"
out=$(h pc1 rejoin 2>&1)
is "$?" 0 "pc1 rejoin"
like "$out" "holds every change of this copy already" \
	"... says its one change is on the repository already, nothing re-recorded"
check "pc2 sync" h pc2 sync
same_as_office pc1 c "pc1 converges with the office"
same_as_office pc2 c "pc2 converges with the office"
is "$(sq pc1 "SELECT count(*) FROM hearth_outbox")" 0 "pc1: nothing pending"
is "$(sq pc2 "SELECT count(*) FROM hearth_outbox")" 0 "pc2: nothing pending"
is "$(sq office "SELECT count(*) FROM hearth_quarantine")" 0 "nothing quarantined"

# both copies go on writing, each syncing in turn
child pc1 c 丙
child pc2 d 丁
h pc1 sync >/dev/null
h pc2 sync >/dev/null 2>&1 || h pc2 rejoin >/dev/null
h office sync >/dev/null
h pc1 sync >/dev/null 2>&1 || h pc1 rejoin >/dev/null
h pc2 sync >/dev/null 2>&1 || h pc2 rejoin >/dev/null
h office sync >/dev/null
h pc1 sync >/dev/null 2>&1 || h pc1 rejoin >/dev/null
h pc2 sync >/dev/null 2>&1 || h pc2 rejoin >/dev/null
is "$(hq office "SELECT id FROM child WHERE owner = 'c' ORDER BY id" | tr '\n' ' ')" \
	"a b c d " "the office holds every write of both copies"
same_as_office pc1 c "pc1 converges after more rounds"
same_as_office pc2 c "pc2 converges after more rounds"
is "$(git -C stick.git fsck --strict 2>&1 | grep -c -i error)" 0 "the stick passes git fsck"

# ---- a plain push is refused the same way --------------------------------------------------
child pc2 e 戊
h pc2 sync >/dev/null
child pc1 f 己
out=$(h pc1 push 2>&1)
is "$?" 1 "pc1 push over pc2's: exit 1"
like "$out" "another copy of node 'c' has synced" "push says so in the same words"
check "pc1 rejoin after the refused push" h pc1 rejoin
h office sync >/dev/null
is "$(hq office "SELECT id FROM child WHERE owner = 'c' ORDER BY id" | tr '\n' ' ')" \
	"a b c d e f " "e and f at the office"

# ---- the returning device after clone ------------------------------------------------------
centre p old
child old p1 一
h old sync >/dev/null
h office sync >/dev/null
h old sync >/dev/null
child old p2 二 # written, then the phone is lost before it syncs
check "clone restores p elsewhere" h new clone "$T/p.git" --node p
child new p3 三
h new sync >/dev/null
h office sync >/dev/null
out=$(h old sync 2>&1)
is "$?" 1 "the old device, back after clone, is refused"
like "$out" "another copy of node 'p' has synced since this copy last did" \
	"the old device is told in one line"
is "$(hq old "SELECT count(*) FROM child WHERE id = 'p2'")" 1 "the old device keeps p2"
check "the old device rejoins" h old rejoin
h office sync >/dev/null
h new sync >/dev/null 2>&1 || h new rejoin >/dev/null
h old sync >/dev/null 2>&1 || h old rejoin >/dev/null
h office sync >/dev/null
h new sync >/dev/null 2>&1 || h new rejoin >/dev/null
h old sync >/dev/null 2>&1 || h old rejoin >/dev/null
is "$(hq office "SELECT id FROM child WHERE owner = 'p' ORDER BY id" | tr '\n' ' ')" \
	"p1 p2 p3 " "the office holds p1, p2 (old device) and p3 (new device)"
is "$(sq office "SELECT count(*) FROM hearth_applied WHERE node = 'p'")" 4 \
	"each of p's four entries (its node row, p1, p3, p2) merged once"
same_as_office old p "the old device converges"
same_as_office new p "the new device converges"

# ---- the office's down only moves forward --------------------------------------------------
cp -a office office-backup
child pc1 g 庚
h pc1 sync >/dev/null 2>&1 || h pc1 rejoin >/dev/null
h office sync >/dev/null
down_before=$(git -C stick.git rev-parse down)
h office-backup exec "UPDATE node SET name = 'O2' WHERE id = 'office'" >/dev/null
out=$(h office-backup sync 2>&1)
is "$?" 1 "an office restored from an older backup is refused"
like "$out" "holds down commits this office did not write" "... saying why"
is "$(git -C stick.git rev-parse down)" "$down_before" "c's down is not rewritten"

# a down rewritten behind the nodes' back (an office older than this one forced its pushes)
down_ok=$(git -C stick.git rev-parse down)
stray=$(git -C stick.git commit-tree "$(git -C stick.git hash-object -w -t tree /dev/null)" -m stray)
git -C stick.git update-ref refs/heads/down "$stray"
out=$(h pc1 sync 2>&1)
is "$?" 1 "a node facing a rewritten down: exit 1"
like "$out" "the office's down branch no longer holds what this node last received" \
	"... told what happened"
like "$out" "the office must sync from its newest state" "... and what to do"
is "$(printf '%s\n' "$out" | wc -l)" 1 "... in one line"
like "$(h pc1 status)" "down branch no longer holds" "status shows it"
git -C stick.git update-ref refs/heads/down "$down_ok"
check "the node syncs again once down is back" h pc1 sync

# pointed at another centre's repository: told so, nothing applied or sent there
p_up=$(git -C p.git rev-parse up)
h pc1 remote remove office >/dev/null
h pc1 remote add office "$T/p.git" >/dev/null
out=$(h pc1 sync 2>&1)
is "$?" 1 "a node syncing with another centre's repository: exit 1"
like "$out" "holds the repository of node 'p', not of 'c'" "... told whose repository it is"
is "$(git -C p.git rev-parse up)" "$p_up" "... and p's up is untouched"
h pc1 remote remove office >/dev/null
h pc1 remote add office "$T/stick.git" >/dev/null
check "back on its own repository, the node syncs" h pc1 sync

# ---- the office's quarantine worked off --------------------------------------------------
# an older hearth forced its pushes: a copy overwrote the stick's up
centre q q1
cp -a q1 q2
child q1 r1 一
h q1 sync >/dev/null
h office sync >/dev/null
merged=$(sq office "SELECT up_head FROM hearth_peer WHERE node = 'q'")
child q2 r2 二
h q2 push >/dev/null 2>&1
git -C q2/repo.git push -q --force "$T/q.git" up:up
forced=$(git -C q.git rev-parse up)
out=$(h office sync 2>&1)
like "$out" "1 commit quarantined" "the office quarantines the overwritten up"
reason=$(sq office "SELECT reason FROM hearth_quarantine WHERE node = 'q'")
like "$reason" "history rewritten" "the reason names the cause"
like "$reason" "${forced:0:12}" "... the new history"
like "$reason" "${merged:0:12}" "... and the one merged before"
like "$(h office quarantine list)" "${forced:0:12}" "quarantine list shows it"
like "$(h office quarantine show "${forced:0:8}")" "open" "quarantine show shows it open"
out=$(h office quarantine release "${forced:0:8}" --by alice)
is "$?" 0 "quarantine release"
is "$(sq office "SELECT count(*) FROM hearth_quarantine")" 0 "released: no longer listed"
h office sync >/dev/null
is "$(sq office "SELECT count(*) FROM hearth_quarantine")" 1 \
	"verified again at the next sync, and quarantined again while the cause holds"
check_not "a node has no quarantine" h q1 quarantine list
check_not "an unknown commit is refused" h office quarantine drop 0000000
out=$(h office quarantine drop "${forced:0:8}" --by bob)
is "$?" 0 "quarantine drop"
like "$out" "'q' goes on after commit" "drop says what it did"
h office sync >/dev/null
is "$(sq office "SELECT count(*) FROM hearth_quarantine")" 0 "dropped: not quarantined again"
shown=$(h office quarantine show "${forced:0:8}")
like "$shown" "released" "show records the release"
like "$shown" "alice" "... by whom"
like "$shown" "dropped" "show records the drop"
like "$shown" "bob" "... by whom"
out=$(h q1 sync 2>&1)
like "$out" "another copy of node 'q'" "q1 is told about the other copy"
child q1 r3 三
check "q1 rejoins" h q1 rejoin
h office sync >/dev/null
is "$(hq office "SELECT id FROM child WHERE owner = 'q' ORDER BY id" | tr '\n' ' ')" "r1 r3 " \
	"the office goes on with q's later writes"
# r1 was merged before the overwrite; the stick no longer shows it, so q1's rejoin sends it
# again: merged a second time it changes nothing, and the office log holds it once
is "$(sq office "SELECT group_concat(summary, ', ') FROM hearth_log WHERE origin = 'q'")" \
	"node +1, child +1, child +1" "the office log holds q's node row, r1 and r3 once each"
done_testing
