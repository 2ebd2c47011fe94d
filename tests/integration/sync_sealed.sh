#!/bin/bash
# The sealed log (format 3, docs/security.md): nodes enrolled with a key the office issued seal
# every commit on `up`, the office every commit on `down`; the repositories hold no value of
# any record nor the key. Entries forged without the key (tests/tools/forge.c), replayed,
# reordered, moved from another node or from `down` are quarantined with that reason, nothing
# of them applied, and the honest nodes go on. An unkeyed node keeps syncing in format 2; a
# revoked node's pushes are quarantined and `clone` with a new enrolment brings it back.
. "$(dirname "$0")/lib.sh" "$@"
FORGE=${2:-}
case $FORGE in
/*) ;;
*) FORGE=$PWD/$FORGE ;;
esac
[ -x "$FORGE" ] || { echo "Bail out! usage: $0 HEARTH HEARTH_FORGE"; exit 1; }

formats() { # formats BRANCH NODE: the formats of the commits on the branch, oldest first
	git -C "$T/usb/$2.git" log --reverse --format=%B "$1" | sed -n 's/^Hearth-Format: //p' |
		tr '\n' ' ' | sed 's/ $//'
}

attackers="a-forged b-replayed c-reordered d-moved e-branch"
mkdir -p "$T/usb" "$T/keys"
hh office init --node office --kind office --name Office
check "the office issues a key for lucai into a file" h office key issue lucai --out "$T/keys/lucai"
like "$(stat -c %a "$T/keys/lucai")" 600 "... readable by its owner only"
check_not "issuing again while the key is in use is refused" h office key issue lucai
check_not "a node cannot issue keys" h office key issue office
for n in lucai xiaoxiangwan $attackers; do
	git init -q --bare "$T/usb/$n.git"
	[ "$n" = lucai ] || hh office key issue "$n" --out "$T/keys/$n" || fail "issue $n"
	hh "$n" init --node "$n" --kind childcare_centre --name "Centre $n" --key "$T/keys/$n" &&
		hh "$n" remote add office "$T/usb/$n.git" &&
		hh office remote add "$n" "$T/usb/$n.git" || fail "init $n"
done
# an unkeyed node: format 2, as before
git init -q --bare "$T/usb/plain.git"
new_node plain childcare_centre "Centre plain" "$T/usb/plain.git" || fail "init plain"
check_not "init with a code for another node is refused" \
	h other init --node other --kind childcare_centre --name X --key "$T/keys/lucai"
check_not "... leaving no node behind" test -e "$T/other/hearth.db"

w lucai "INSERT INTO child (owner,id,name,birth_date,guardian_phone) VALUES ('lucai','k1','王小明','2024-03-05','13912345678')"
w lucai "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('lucai','c1','月亮班Secret','2-3',25)"
w xiaoxiangwan "INSERT INTO child (owner,id,name) VALUES ('xiaoxiangwan','x1','SecretXiaoName')"
w plain "INSERT INTO child (owner,id,name) VALUES ('plain','p1','PlainName')"
for n in $attackers; do
	w "$n" "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('$n','c1','Legit','1-2',10)"
done
sync_all lucai xiaoxiangwan plain $attackers office lucai xiaoxiangwan plain $attackers
is "$SYNC_FAILED" 0 "every sync exits 0"
is "$(formats up lucai)" "3" "an enrolled node writes format 3 on up"
like "$(formats down lucai)" "3" "the office writes format 3 on its down"
unlike "$(formats down lucai)" "2" "... and nothing else"
is "$(formats up plain)" "2" "an unkeyed node still writes format 2"
is "$(formats down plain)" "2" "... and receives format 2"
is "$(hq office "SELECT name FROM child WHERE id = 'k1'")" "王小明" "the office merged lucai's sealed entries"
is "$(hq xiaoxiangwan "SELECT count(*) FROM child WHERE id = 'k1'")" 0 "(a centre sees only its own children)"
cmp_dump lucai
cmp_dump xiaoxiangwan
cmp_dump plain
is "$(h office key status | grep '^lucai')" "$(printf 'lucai\t1\tsealing')" "key status: lucai seals with key 1"
like "$(h office status)" "keys:" "status at the office shows the key states"
like "$(h lucai status)" "sealing" "status at the node shows its key state"
unlike "$(git -C "$T/usb/lucai.git" log --format=%B up down)" "child" \
	"the commit messages name no table"

# ---- nothing readable in the repository, nor the key --------------------------------------------
key_hex=$(sq office "SELECT hex(key) FROM hearth_key WHERE node = 'lucai'" | tr A-F a-f)
found=""
for n in lucai xiaoxiangwan; do
	r="$T/usb/$n.git"
	all=$( {
		git -C "$r" cat-file --batch-all-objects --batch
		find "$r/objects" -type f -path '*/objects/??/*' | while read -r f; do
			python3 -c 'import sys,zlib; sys.stdout.buffer.write(zlib.decompress(open(sys.argv[1],"rb").read()))' "$f"
		done
	} | LC_ALL=C tr -c '[:print:]\n' '.')
	for v in 王小明 SecretXiaoName 月亮班Secret 13912345678 2024-03-05 "$key_hex"; do
		case $all in *"$v"*) found="$found $n:$v" ;; esac
	done
done
is "$found" "" "no record value and no key in any object of the sealed repositories"
like "$(git -C "$T/usb/plain.git" cat-file --batch-all-objects --batch | LC_ALL=C tr -c '[:print:]\n' '.')" \
	PlainName "(the grep finds values where they are: the unkeyed node's format 2)"

# ---- hostile commits on the attackers' up -------------------------------------------------------
fingerprint=$(git -C "$T/usb/lucai.git" log -1 --format=%B up | sed -n 's/^Hearth-Fingerprint: //p')
schema=$(git -C "$T/usb/lucai.git" log -1 --format=%B up | sed -n 's/^Hearth-Schema: //p')
cs=$(own_changeset a-forged HostileForged)
clock=$(sq a-forged "SELECT max(clock) FROM hearth_history" 2>/dev/null)
[ -n "$clock" ] || clock=01a226bd4e160000
declare -A commit_of
# a-forged: sealed with a key of the forger's own
commit_of[a-forged]=$("$FORGE" up "$T/usb/a-forged.git" a-forged 3 "$clock" "$schema" "$fingerprint" "$cs")
# b-replayed: its first commit (merged) again, on top
r="$T/usb/b-replayed.git"
first=$(git -C "$r" rev-list --max-parents=0 up)
commit_of[b-replayed]=$(git -C "$r" log -1 --format=%B "$first" |
	git -C "$r" commit-tree "$first^{tree}" -p up) &&
	git -C "$r" update-ref refs/heads/up "${commit_of[b-replayed]}"
# c-reordered: two new commits pushed, then swapped by someone with write access
w c-reordered "INSERT INTO child (owner,id,name) VALUES ('c-reordered','r1','ReorderOne')"
hh c-reordered push
w c-reordered "INSERT INTO child (owner,id,name) VALUES ('c-reordered','r2','ReorderTwo')"
hh c-reordered push
r="$T/usb/c-reordered.git"
x=$(git -C "$r" rev-parse up~1) y=$(git -C "$r" rev-parse up) base=$(git -C "$r" rev-parse up~2)
y2=$(git -C "$r" log -1 --format=%B "$y" | git -C "$r" commit-tree "$y^{tree}" -p "$base")
commit_of[c-reordered]=$y2
x2=$(git -C "$r" log -1 --format=%B "$x" | git -C "$r" commit-tree "$x^{tree}" -p "$y2")
git -C "$r" update-ref refs/heads/up "$x2"
# d-moved: lucai's commit, renamed to d-moved, on d-moved's up
w lucai "INSERT INTO child (owner,id,name) VALUES ('lucai','k9','MovedName')"
hh lucai push
l=$(git -C "$T/usb/lucai.git" rev-parse up)
git -C "$T/usb/lucai.git" cat-file --batch-all-objects --batch-check='%(objectname)' |
	git -C "$T/usb/lucai.git" pack-objects -q --stdout | git -C "$T/usb/d-moved.git" unpack-objects -q
r="$T/usb/d-moved.git"
commit_of[d-moved]=$(git -C "$r" log -1 --format=%B "$l" | sed 's/^Hearth-Node: lucai$/Hearth-Node: d-moved/' |
	git -C "$r" commit-tree "$l^{tree}" -p up) &&
	git -C "$r" update-ref refs/heads/up "${commit_of[d-moved]}"
# e-branch: its own down commit, as it is, on its up
r="$T/usb/e-branch.git"
commit_of[e-branch]=$(git -C "$r" log -1 --format=%B down | git -C "$r" commit-tree "down^{tree}" -p up) &&
	git -C "$r" update-ref refs/heads/up "${commit_of[e-branch]}"
for n in $attackers; do
	isnt "${commit_of[$n]:-}" "" "crafted a commit on $n's up"
done

w xiaoxiangwan "INSERT INTO child (owner,id,name) VALUES ('xiaoxiangwan','x2','HonestRow')"
hh xiaoxiangwan sync
h office dump >"$T/dump.before"
hh office sync
is "$?" 0 "the office syncs with the hostile commits"
reason() { sq office "SELECT reason FROM hearth_quarantine WHERE node = '$1' AND commit_id = '${commit_of[$1]}'"; }
like "$(reason a-forged)" "not sealed with the key of 'a-forged'" "forged: quarantined, not sealed with the node's key"
like "$(reason b-replayed)" "replayed" "replayed: quarantined as replayed"
like "$(reason c-reordered)" "reordered" "reordered: quarantined as reordered"
like "$(reason d-moved)" "moved from another node: its entries were sealed by 'lucai'" \
	"moved from another node: quarantined naming the node that sealed it"
like "$(reason e-branch)" "moved from another branch" "moved from down to up: quarantined"
is "$(sq office "SELECT count(*) FROM hearth_quarantine")" 5 "exactly the five hostile commits are quarantined"
for v in HostileForged ReorderOne ReorderTwo; do
	is "$(hq office "SELECT count(*) FROM child WHERE name = '$v'")" 0 "nothing of them applied ($v)"
done
is "$(hq office "SELECT count(*) FROM child WHERE name = 'MovedName' AND owner = 'd-moved'")" 0 \
	"nothing of the moved entry applied as d-moved's"
is "$(hq office "SELECT name FROM child WHERE id = 'x2'")" HonestRow "the honest node merged in the same sync"
hh lucai sync
hh office sync
is "$(hq office "SELECT name FROM child WHERE id = 'k9'")" MovedName "lucai's own entry merged as lucai's"
cmp_dump xiaoxiangwan "the honest node still converges"
h office dump >"$T/dump.again"
hh office sync
h office dump >"$T/dump.third"
check "syncing again changes nothing" cmp -s "$T/dump.again" "$T/dump.third"

# ---- a node accepts on down only what the office sealed for it ----------------------------------
r="$T/usb/xiaoxiangwan.git"
good_down=$(git -C "$r" rev-parse down)
h xiaoxiangwan dump >"$T/x.before"
printf 'not a changeset' >"$T/junk.cs"
# a down commit sealed with another key (the forger's blob, under a down message)
to=$(git -C "$r" log -1 --format=%B "$good_down" | sed -n 's/^Hearth-Range: [0-9]* //p')
git -C "$T/usb/a-forged.git" cat-file --batch-all-objects --batch-check='%(objectname)' |
	git -C "$T/usb/a-forged.git" pack-objects -q --stdout | git -C "$r" unpack-objects -q
fd=$(printf 'office -> xiaoxiangwan: forged\n\nHearth-Format: 3\nHearth-Direction: down\nHearth-Node: xiaoxiangwan\nHearth-Schema: %s\nHearth-Fingerprint: %s\nHearth-Range: %s %s\nHearth-Ack: 9999\n' "$schema" "$fingerprint" "$to" "$to" |
	git -C "$r" commit-tree "$(git -C "$r" rev-parse "${commit_of[a-forged]}^{tree}")" -p down)
git -C "$r" update-ref refs/heads/down "$fd"
h xiaoxiangwan pull >"$T/out" 2>"$T/err"
isnt "$?" 0 "a down commit not sealed by the office for this node refuses the pull"
like "$(cat "$T/err")" "not sealed with the key of 'xiaoxiangwan'" "... saying why"
h xiaoxiangwan dump >"$T/x.after"
check "... and nothing is applied" cmp -s "$T/x.before" "$T/x.after"
# an unsealed (format 2) down commit, once the office seals for this node
printf 'office -> xiaoxiangwan: unsealed\n\nHearth-Format: 2\nHearth-Direction: down\nHearth-Node: xiaoxiangwan\nHearth-Schema: %s\nHearth-Fingerprint: %s\nHearth-Range: %s %s\nHearth-Ack: 9999\n' "$schema" "$fingerprint" "$to" "$to" >"$T/msg2"
fd2=$(git -C "$r" commit-tree "$(git -C "$r" mktree </dev/null)" -p "$good_down" -F "$T/msg2")
git -C "$r" update-ref refs/heads/down "$fd2"
h xiaoxiangwan pull >"$T/out" 2>"$T/err"
isnt "$?" 0 "an unsealed down commit is refused once the office seals"
like "$(cat "$T/err")" "is not sealed" "... saying why"
git -C "$r" update-ref refs/heads/down "$good_down"
hh xiaoxiangwan sync
is "$?" 0 "with the office's down back, the node syncs"

# ---- rotate, revoke, clone with a new enrolment -------------------------------------------------
check "rotate lucai's key" h office key rotate lucai --out "$T/keys/lucai2"
is "$(h office key status | grep '^lucai')" "$(printf 'lucai\t2\trotating')" "key status: rotating until the node uses it"
check "the node imports the new code" h lucai key import "$T/keys/lucai2"
w lucai "INSERT INTO child (owner,id,name) VALUES ('lucai','k3','AfterRotate')"
sync_all lucai office lucai
is "$(hq office "SELECT name FROM child WHERE id = 'k3'")" AfterRotate "entries sealed with the rotated key merge"
is "$(h office key status | grep '^lucai')" "$(printf 'lucai\t2\tsealing')" "key status: sealing with key 2"
cmp_dump lucai "lucai converges after the rotation"
check_not "a damaged code is refused" h lucai key import /dev/null

# the device is stolen: the office revokes; the thief's push is quarantined
cp -a "$T/lucai" "$T/thief"
check "revoke lucai's keys" h office key revoke lucai
like "$(h office key status | grep '^lucai')" revoked "key status: revoked"
w thief "INSERT INTO child (owner,id,name) VALUES ('lucai','kt','ThiefRow')"
hh thief push
hh office sync
like "$(sq office "SELECT reason FROM hearth_quarantine WHERE node = 'lucai'")" "revoked" \
	"the revoked node's push is quarantined as revoked"
is "$(hq office "SELECT count(*) FROM child WHERE name = 'ThiefRow'")" 0 "... and nothing of it merged"
thief_commit=$(sq office "SELECT commit_id FROM hearth_quarantine WHERE node = 'lucai'")
check "the office drops the thief's commit" h office quarantine drop "$thief_commit" --by test
check "and issues a new key" h office key issue lucai --out "$T/keys/lucai3"
unlike "$(cat "$T/keys/lucai3")" "$(cat "$T/keys/lucai2" | sed 's/.*,//; s/.*://')" \
	"the new code holds no revoked key"
hh office sync
check "clone onto the new device with the new enrolment" \
	h newdev clone "$T/usb/lucai.git" --node lucai --key "$T/keys/lucai3"
is "$(hq newdev "SELECT name FROM child WHERE id = 'k3'")" AfterRotate "the new device holds lucai's data"
is "$(hq newdev "SELECT count(*) FROM child WHERE name = 'ThiefRow'")" 0 "... and not the thief's"
w newdev "INSERT INTO child (owner,id,name) VALUES ('lucai','k4','NewDevice')"
HH_TIMEOUT=120 sync_all newdev office newdev
is "$(hq office "SELECT name FROM child WHERE id = 'k4'")" NewDevice "the new device's entries merge"
is "$(h office key status | grep '^lucai')" "$(printf 'lucai\t3\tsealing')" "key status: sealing with key 3"
h newdev dump >"$T/newdev.dump"
h office dump --for lucai >"$T/newdev.office"
check "the new device converges" cmp -s "$T/newdev.dump" "$T/newdev.office"
w thief "INSERT INTO child (owner,id,name) VALUES ('lucai','kt2','ThiefAgain')"
hh thief sync
hh office sync
is "$(hq office "SELECT count(*) FROM child WHERE name LIKE 'Thief%'")" 0 "the thief stays shut out"
done_testing
