#!/bin/bash
# A copy of a sealed repository reveals no record content (docs/security.md, promise 1): an
# office and three enrolled nodes write rows of several tables and sync a few rounds; then every
# object of every repository (git cat-file of all blobs, commits, trees and tags, and the raw
# loose and pack files after zlib decompression) is grepped for every text value of four bytes
# or more in the office's synced tables, the private ones included: none is found.
. "$(dirname "$0")/lib.sh" "$@"

nodes="lucai xiaoxiangwan fuyou"
mkdir -p "$T/usb" "$T/keys"
hh office init --node office --kind office --name "长治市卫健委" || fail "office init"
for n in $nodes; do
	git init -q --bare "$T/usb/$n.git"
	hh office key issue "$n" --out "$T/keys/$n" &&
		hh "$n" init --node "$n" --kind childcare_centre --name "Centre-$n-名" --key "$T/keys/$n" &&
		hh "$n" remote add office "$T/usb/$n.git" &&
		hh office remote add "$n" "$T/usb/$n.git" || fail "init $n"
done
w office "INSERT INTO region (owner,id,parent_id,level,name) VALUES ('office','r1','luzhou','community','潞州社区Alpha')"
for n in $nodes; do
	for i in 1 2 3; do
		w "$n" "INSERT INTO child (owner,id,name,birth_date,guardian_name,guardian_phone,notes) VALUES ('$n','k$i','童$n$i','2024-0$i-1$i','家长$n$i','1391234${i}00$((${#n} % 10))','过敏-$n-$i')"
	done
	w "$n" "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('$n','c1','班级-$n','2-3',25)"
done
sync_all $nodes office $nodes office $nodes
is "$SYNC_FAILED" 0 "every sync exits 0"
w lucai "UPDATE child SET notes = '更新-lucai-notes' WHERE id = 'k1'"
sync_all lucai office lucai
# some objects packed too, as a git host would
for n in $nodes; do git -C "$T/usb/$n.git" repack -q -d; done
w xiaoxiangwan "UPDATE child SET guardian_name = '新家长-xiao' WHERE id = 'k2'"
sync_all xiaoxiangwan office xiaoxiangwan

# every distinct text value of 4+ bytes in every synced table of the office database
# (the synced tables: the records; the engine's tables hold ids, clocks and URLs)
sqlite3 "$T/office/hearth.db" "SELECT name FROM hearth_table" >"$T/tables"
: >"$T/values"
while read -r t; do
	for c in $(sqlite3 "$T/office/hearth.db" "SELECT name FROM pragma_table_info('$t')"); do
		sqlite3 "$T/office/hearth.db" "SELECT DISTINCT \"$c\" FROM \"$t\" WHERE typeof(\"$c\") = 'text' AND length(CAST(\"$c\" AS BLOB)) >= 4 AND instr(\"$c\", char(10)) = 0" >>"$T/values"
	done
done <"$T/tables"
# what may show: node ids, and the words of the format itself
grep -v -x -F -e office -e lucai -e xiaoxiangwan -e fuyou "$T/values" | sort -u >"$T/values.check"
count=$(wc -l <"$T/values.check")
[ "$count" -gt 20 ] && pass "the office database holds $count text values to look for" ||
	fail "too few values to look for: $count"
like "$(cat "$T/values.check")" "过敏-lucai-2" "... the private ones among them"

for n in $nodes; do
	r="$T/usb/$n.git"
	{
		git -C "$r" cat-file --batch-all-objects --batch
		python3 - "$r" <<'PY'
import os, sys, zlib
root = os.path.join(sys.argv[1], "objects")
out = sys.stdout.buffer
for d, _, files in os.walk(root):
    for f in files:
        p = os.path.join(d, f)
        data = open(p, "rb").read()
        if f.endswith(".pack"):
            # every zlib stream in the pack, wherever it starts
            i = 12
            while i < len(data):
                try:
                    z = zlib.decompressobj()
                    out.write(z.decompress(data[i:i + 1 << 20]))
                except zlib.error:
                    pass
                i += 1
        elif len(f) == 38:
            out.write(zlib.decompress(data))
        out.write(data)
PY
	} >"$T/objects.$n"
done
cat "$T/objects".* >"$T/all-objects"
found=$(grep -a -o -F -f "$T/values.check" "$T/all-objects" | sort -u | head -n 5 | tr '\n' ' ')
is "$found" "" "no text value of the office database in any object of any repository"
# the check can fail: a format 2 blob holds its values
git init -q --bare "$T/plain.git"
printf 'x' | git -C "$T/plain.git" hash-object -w --stdin >/dev/null
printf '%s' "过敏-lucai-2" | git -C "$T/plain.git" hash-object -w --stdin >/dev/null
like "$(git -C "$T/plain.git" cat-file --batch-all-objects --batch | grep -a -o -F -f "$T/values.check")" \
	"过敏-lucai-2" "(the same grep finds a value in a repository that holds it)"
done_testing
