#!/bin/bash
# Sealed-blob packing 2 in the field (docs/format.md, sections 2 and 10): a hearth writes packing
# 2 (the preset dictionary) only to a reader that announced it opens it (`Opens-Packing: 2`),
# so nodes and the office upgrade one at a time, in any order, with nothing quarantined and
# nothing blocked. The old hearth is hearth-packing1 (the same code opening packings 0 and 1
# only, announcing nothing). Each blob's packing is read with the keys as the format says
# (tests/tools/forge.c, "packings").
#
# 1. The office is old. lucai is new (node first), oldc old. lucai keeps writing packing 0/1.
# 2. The office upgrades (office first for oldc): oldc still gets packing 0/1 and pulls; lucai
#    gets packing 2 once it has pushed its announcement, and writes 2 once it has pulled one.
# 3. oldc upgrades: the same, then everyone converges.
# 4. A fresh node on the new office: its first up is not packing 2, every later one is. A clone
#    learns from the downs it restores.
. "$(dirname "$0")/lib.sh" "$@"
OLD=${2:-}
FORGE=${3:-}
case $OLD in
/*) ;;
*) OLD=$PWD/$OLD ;;
esac
case $FORGE in
/*) ;;
*) FORGE=$PWD/$FORGE ;;
esac
[ -x "$OLD" ] && [ -x "$FORGE" ] ||
	{ echo "Bail out! usage: $0 HEARTH HEARTH_PACKING1 HEARTH_FORGE"; exit 1; }

NEW=$HEARTH
# which binary each node runs: hearth-packing1 until it upgrades
declare -A BIN
run() { # run NODE ARGS...: the node's binary, quietly (like hh)
	local node=$1
	shift
	echo "+ ${BIN[$node]##*/} -C $node $*" >>"$T/log"
	timeout 120 "${BIN[$node]}" -C "$T/$node" "$@" >>"$T/log" 2>&1
}
FAILED=0
rounds() { # rounds NODE...: sync each in turn, counting failures in FAILED
	local n
	for n in "$@"; do
		run "$n" sync || { FAILED=$((FAILED + 1)); diag "sync at $n failed: $(tail -n 1 "$T/log")"; }
	done
}
write() { # write NODE SQL
	run "$1" exec "$2" || fail "write at $1: $2"
}
packings() { # packings BRANCH NODE: the packing of each commit's entries.1, oldest first
	"$FORGE" packings "$T/usb/$2.git" "refs/heads/$1" "$T/office/hearth.db"
}
last() { # the last word
	echo "${1##* }"
}
no2() { # no2 PACKINGS: "yes" if none is 2 (and every one opened)
	case " $1 " in
	*" 2 "* | *" -1 "*) echo no ;;
	*) echo yes ;;
	esac
}
announced() { # announced BRANCH NODE: how many commits of the branch carry the announcement
	git -C "$T/usb/$2.git" log --format=%B "$1" | grep -c '^Opens-Packing: 2$'
}
quarantined() {
	sq office "SELECT count(*) FROM hearth_quarantine"
}

mkdir -p "$T/usb" "$T/keys"
BIN[office]=$OLD
run office init --node office --kind office --name Office || fail "init office"
for n in lucai oldc fresh; do
	git init -q --bare "$T/usb/$n.git"
	run office key issue "$n" --out "$T/keys/$n" || fail "issue $n"
done
BIN[lucai]=$NEW
BIN[oldc]=$OLD
for n in lucai oldc; do
	run "$n" init --node "$n" --kind childcare_centre --name "Centre $n" --key "$T/keys/$n" &&
		run "$n" remote add office "$T/usb/$n.git" &&
		run office remote add "$n" "$T/usb/$n.git" || fail "init $n"
done

# ---- 1. the office is old, lucai new ------------------------------------------------------------
write lucai "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('lucai','c1','Sun','2-3',25)"
write oldc "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('oldc','c1','Moon','1-2',20)"
rounds lucai oldc office lucai oldc
write lucai "UPDATE care_class SET capacity = 24 WHERE id = 'c1'"
write lucai "INSERT INTO child (owner,id,name) VALUES ('lucai','k1','Wang')"
write oldc "UPDATE care_class SET capacity = 19 WHERE id = 'c1'"
rounds lucai oldc office lucai oldc
is "$FAILED" 0 "old office: every sync exits 0"
is "$(quarantined)" 0 "... nothing is quarantined"
up=$(packings up lucai)
is "$(echo "$up" | wc -w)" 2 "lucai pushed two sealed commits ($up)"
is "$(no2 "$up")" yes "... neither packed 2: the old office's downs announce nothing"
is "$(announced up lucai)" 2 "... each announces that lucai opens packing 2"
is "$(announced down lucai)" 0 "the old office announces nothing"
is "$(no2 "$(packings down lucai)")" yes "... and writes no packing 2"
is "$(sq lucai "SELECT count(*) FROM hearth_meta WHERE key = 'opens_packing.office'")" 1 \
	"lucai recorded what the office's downs said (nothing)"
is "$(sq lucai "SELECT value FROM hearth_meta WHERE key = 'opens_packing.office'")" 1 \
	"... packings up to 1"
is "$(hq office "SELECT capacity FROM care_class WHERE owner = 'lucai' AND id = 'c1'")" 24 \
	"the old office merged lucai's entries"
is "$(announced up oldc)" 0 "the old node announces nothing"

# ---- 2. the office upgrades ---------------------------------------------------------------------
BIN[office]=$NEW
write lucai "UPDATE care_class SET capacity = 23 WHERE id = 'c1'"
write oldc "UPDATE care_class SET capacity = 18 WHERE id = 'c1'"
rounds lucai oldc office
is "$(sq office "SELECT value FROM hearth_meta WHERE key = 'opens_packing.lucai'")" 2 \
	"the upgraded office learned from lucai's up that lucai opens packing 2"
is "$(sq office "SELECT value FROM hearth_meta WHERE key = 'opens_packing.oldc'")" 1 \
	"... and that oldc does not"
is "$(last "$(packings down lucai)")" 2 "so lucai's next down is packed 2"
is "$(no2 "$(packings down oldc)")" yes "oldc's downs are never packed 2"
like "$(git -C "$T/usb/oldc.git" log -1 --format=%B down)" "Opens-Packing: 2" \
	"... though they announce that the office opens it"
rounds lucai oldc
is "$(sq lucai "SELECT value FROM hearth_meta WHERE key = 'opens_packing.office'")" 2 \
	"lucai learned from the down it pulled that the office opens packing 2"
write lucai "UPDATE care_class SET capacity = 22 WHERE id = 'c1'"
write oldc "UPDATE care_class SET capacity = 17 WHERE id = 'c1'"
rounds lucai oldc office lucai oldc
up=$(packings up lucai)
is "$(last "$up")" 2 "lucai's next up is packed 2 ($up)"
is "$(no2 "$(packings up oldc)")" yes "the old node never writes packing 2"
is "$(no2 "$(packings down oldc)")" yes "... nor receives it"
is "$FAILED" 0 "office upgraded first for oldc, after lucai: every sync exits 0"
is "$(quarantined)" 0 "... nothing is quarantined"
is "$(hq office "SELECT capacity FROM care_class WHERE owner = 'oldc' AND id = 'c1'")" 17 \
	"... the office merged every entry of oldc"
is "$(hq oldc "SELECT count(*) FROM care_class WHERE owner = 'lucai'")" 0 \
	"(oldc sees no other centre's classes)"

# ---- 3. oldc upgrades ---------------------------------------------------------------------------
BIN[oldc]=$NEW
is "$(sq oldc "SELECT count(*) FROM hearth_meta WHERE key = 'opens_packing.office'")" 0 \
	"the old node kept no record of the office's announcement"
write oldc "UPDATE care_class SET capacity = 16 WHERE id = 'c1'"
rounds oldc office oldc
is "$(last "$(packings up oldc)")" 1 "oldc upgraded: its first up is packed 1 (no down read since)"
is "$(last "$(packings down oldc)")" 2 "... it announced: its next down is packed 2"
write oldc "UPDATE care_class SET capacity = 15 WHERE id = 'c1'"
rounds oldc office oldc
is "$(last "$(packings up oldc)")" 2 "... and its next up too"

# ---- 4. a fresh node on the new office ----------------------------------------------------------
BIN[fresh]=$NEW
run fresh init --node fresh --kind childcare_centre --name "Centre fresh" --key "$T/keys/fresh" &&
	run fresh remote add office "$T/usb/fresh.git" &&
	run office remote add fresh "$T/usb/fresh.git" || fail "init fresh"
write fresh "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('fresh','c1','Star','2-3',12)"
rounds fresh
is "$(packings up fresh)" 1 "a fresh node's first up is not packed 2 (nothing pulled yet)"
rounds office
down=$(packings down fresh)
is "$(no2 "$down")" no "the office's first downs to it are packed 2: its up announced ($down)"
write fresh "UPDATE care_class SET capacity = 13 WHERE id = 'c1'"
rounds fresh office fresh
is "$(packings up fresh)" "1 2" "after one round, its next up is packed 2"

rounds lucai oldc fresh office lucai oldc fresh
# a restored device learns it from the downs it reads, as a pull does
BIN[lucaidev]=$NEW
run lucaidev clone "$T/usb/lucai.git" --node lucai --key "$T/keys/lucai" || fail "clone lucai"
is "$(sq lucaidev "SELECT value FROM hearth_meta WHERE key = 'opens_packing.office'")" 2 \
	"a clone learns from the downs it restores that the office opens packing 2"
is "$FAILED" 0 "every sync of every step exits 0"
is "$(quarantined)" 0 "nothing was quarantined"
for n in lucai oldc fresh; do
	is "$(sq office "SELECT count(*) FROM hearth_outbox") $(sq "$n" "SELECT count(*) FROM hearth_outbox")" \
		"0 0" "$n: every entry merged, nothing pending"
	cmp_dump "$n"
done

done_testing
