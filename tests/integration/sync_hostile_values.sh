#!/bin/bash
# Hostile values, not hostile framing: a well-formed format 2 commit (crafted with entries_blob
# and craft2 in lib.sh) whose changeset carries a BLOB (SQLite's value type 4) in a text column:
# the bytes of a real INSERT with the name's type byte turned from text (3) into a BLOB, once
# holding invalid UTF-8 with a NUL and once empty. The office refuses it like invalid text: the
# commit is quarantined and nothing of it is applied. The schema has no STRICT tables to lean on,
# so the office's verify must see the value type itself, as old nodes send what they hold.
. "$(dirname "$0")/lib.sh" "$@"

attackers="o-blob o-empty"
mkdir -p "$T/usb"
hh office init --node office --kind office --name Office
for n in $attackers; do
	git init -q --bare "$T/usb/$n.git"
	new_node "$n" childcare_centre "Centre $n" "$T/usb/$n.git" || fail "init $n"
	w "$n" "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('$n','c1','Legit','1-2',10)"
done
sync_all $attackers office
is "$SYNC_FAILED" 0 "legit syncs exit 0"
head_msg=$(git -C "$T/usb/o-blob.git" log -1 --format=%B up)
fingerprint=$(printf '%s\n' "$head_msg" | sed -n 's/^Hearth-Fingerprint: //p')
schema=$(printf '%s\n' "$head_msg" | sed -n 's/^Hearth-Schema: //p')
clock=$(sq o-blob "SELECT clock FROM hearth_outbox WHERE seq = 2")

# retype NODE MARKER BYTES: NODE's own INSERT of a child named MARKER, whose name value (type 3,
# length, MARKER) becomes a BLOB of BYTES (type 4, length, BYTES); prints the changeset's file
retype() {
	local f
	f=$(own_changeset "$1" "$2") &&
		M=$2 B=$3 perl -0777 -pi -e '
			my $from = "\x03" . chr(length $ENV{M}) . $ENV{M};
			my $i = index($_, $from);
			die "no marker" if $i < 0;
			substr($_, $i, length $from) = "\x04" . chr(length $ENV{B}) . $ENV{B};' \
			"$f" 2>>"$T/log" &&
		echo "$f"
}
declare -A commit_of
f=$(retype o-blob BlobMarker $'\xff\x01x') && entries_blob "$T/o-blob.blob" 0 0 3 "$clock" "$f"
commit_of[o-blob]=$(craft2 o-blob "1 3 3" o-blob "$T/o-blob.blob")
f=$(retype o-empty EmptyMarker '') && entries_blob "$T/o-empty.blob" 0 0 3 "$clock" "$f"
commit_of[o-empty]=$(craft2 o-empty "1 3 3" o-empty "$T/o-empty.blob")
for n in $attackers; do
	isnt "${commit_of[$n]}" "" "crafted a format 2 commit with a BLOB on $n's up"
	check_not "$n: the crafted changeset no longer holds the marker as text" \
		grep -q Marker "$T/scratch-$n.cs"
done

HH_TIMEOUT=60 hh office sync
is "$?" 0 "the office sync with BLOB values exits 0"
for n in $attackers; do
	like "$(sq office "SELECT reason FROM hearth_quarantine WHERE node = '$n' AND commit_id = '${commit_of[$n]}'")" \
		"'child.name' holds bytes (a BLOB) where text is expected" \
		"$n: a BLOB in a text column is quarantined like invalid text"
done
is "$(sq office "SELECT count(*) FROM child")" 0 "no child row of either commit is applied"
is "$(sq office "SELECT count(*) FROM hearth_log WHERE origin IN ('o-blob', 'o-empty') AND origin_seq = 3")" 0 \
	"and nothing of them reached the office log"
done_testing
