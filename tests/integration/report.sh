#!/bin/bash
# hearth report on the demo world: at the office the node silent for more than 7 days comes
# first, the capacity conflict shows both values, a crafted commit without trailers shows as
# quarantined, and --html is cmark's rendering with tables and no raw user HTML; at a node the
# pending changes, the age of the last sync, the last error verbatim and the classes near
# capacity.
. "$(dirname "$0")/lib.sh" "$@"

T0=1795140000000                 # 2026-11-20 10:00 China time: the demo runs then
T1=$((T0 + 8 * 86400000))        # 8 days later every node but qimingxing writes and syncs
T2=$((T1 + 3 * 86400000))
D=$T/d/nodes
at() { # at MS NODE ARGS...: hearth at NODE of the demo with the clock pinned to MS
	local ms=$1 node=$2
	shift 2
	HEARTH_TEST_NOW_MS=$ms "$HEARTH" -C "$D/$node" "$@"
}

HEARTH_TEST_NOW_MS=$T0 "$HEARTH" demo --out "$T/d" >"$T/log" 2>&1
is "$?" 0 "the demo runs at a pinned time"

others="lucai xiaoxiangwan fuyou qinyuan-tuoyu donghua guangchangdong hongbanshou-repair"
failed=0
for n in $others; do
	extra=""
	# a node name with HTML in it: the report must show it as text
	[ "$n" = xiaoxiangwan ] && extra=", name = '小象湾托育中心<script>alert(1)</script>'"
	at $T1 $n exec "UPDATE node SET hours = '8:00-17:00'$extra WHERE id = hearth_node()" \
		>>"$T/log" 2>&1 || failed=$((failed + 1))
	at $T1 $n sync >>"$T/log" 2>&1 || failed=$((failed + 1))
done
at $T1 office sync >>"$T/log" 2>&1 || failed=$((failed + 1))
is "$failed" 0 "eight days later every node but qimingxing writes and syncs"

# a commit without trailers on donghua's up: the office quarantines it
repo=$T/d/remotes/donghua.git
tree=$(git -C "$repo" mktree </dev/null)
parent=$(git -C "$repo" rev-parse refs/heads/up)
bad=$(echo "not a hearth commit" | git -C "$repo" commit-tree "$tree" -p "$parent")
git -C "$repo" update-ref refs/heads/up "$bad" "$parent"
isnt "$bad" "" "crafted a commit without trailers on donghua's up"
at $T1 office sync >>"$T/log" 2>&1
is "$(sq d/nodes/office "SELECT count(*) FROM hearth_quarantine WHERE node = 'donghua'")" 1 \
	"the office quarantined it"

# a row the site cannot show (an empty title, as a v4 database's BLOB title becomes when it
# migrates): the site builds without it and the report lists it
sq d/nodes/office "INSERT INTO event (owner, id, kind, title, starts_at, public)
	VALUES ('lucai', 'blanktitle', 'health_lecture', '', '2026-12-01T09:00:00+08:00', 1)"

# ---- the office ----------------------------------------------------------------------------

at $T1 office report >"$T/office.md"
is "$?" 0 "report at the office exits 0"
like "$(sed -n '/^## Rows left out of the public site/,/^## /p' "$T/office.md" | sed 's/\\\(.\)/\1/g')" \
	"| event | lucai | blanktitle | title or starts_at is empty |" \
	"the report lists the event the site leaves out, and why"
check "the site builds without it" at $T1 office site build --out "$T/site"
check_not "with no page for it" test -e "$T/site/events/lucai/blanktitle.html"
rows=$(sed -n '/^## Nodes/,/^## /p' "$T/office.md" | grep '^| ' | grep -v '^| --- ' | tail -n +2)
is "$(echo "$rows" | wc -l)" 8 "one row per node"
first=$(echo "$rows" | head -n 1)
like "$first" "| qimingxing |" "the node silent for 8 days is listed first"
like "$first" "8 days, silent" "its age says 8 days and silent"
is "$(echo "$rows" | grep -c silent)" 1 "no other node is silent"
like "$(cat "$T/office.md")" "1 of 8 node(s) silent for more than 7 days" "the count of silent nodes"
like "$(echo "$rows" | grep '^| donghua |')" "| 0 | 1 | 0 | none |" \
	"donghua: behind 0, 1 quarantined commit, no open conflict"
like "$(echo "$rows" | grep '^| lucai |')" "| 0 | 0 | 1 | none |" "lucai: 1 open conflict"
like "$(sed -n '/^## Open conflicts/,/^## /p' "$T/office.md")" \
	"| capacity | 28 | office | 32 | lucai | office |" \
	"the open conflict shows the kept value 28 and the lost value 32 with their nodes"
q=$(sed -n '/^## Quarantined commits/,$p' "$T/office.md")
like "$q" "| donghua | ${bad:0:12} |" "the quarantined commit is listed with its node and id"
reason=$(sq d/nodes/office "SELECT reason FROM hearth_quarantine WHERE node = 'donghua'")
like "$(echo "$q" | sed 's/\\\(.\)/\1/g')" "| $reason |" "with the office's reason, verbatim"
like "$(cat "$T/office.md")" 'Behind* counts the entries of the office log' \
	"the header defines what behind means"
like "$(cat "$T/office.md")" '小象湾托育中心\<script\>alert\(1\)\</script\>' \
	"Markdown: the node name with HTML is escaped as text"
unlike "$(cat "$T/office.md")" "<script>" "Markdown: no raw HTML from the data"

at $T1 office report --html --out "$T/office.html"
is "$?" 0 "report --html --out FILE exits 0"
html=$(cat "$T/office.html")
like "$html" "<table>" "the HTML has tables"
like "$html" "<h2>Nodes</h2>" "the HTML has the sections rendered by cmark"
like "$html" "<td>qimingxing</td>" "the HTML lists the silent node"
like "$html" "<td>28</td><td>office</td><td>32</td><td>lucai</td>" "the HTML shows both values"
like "$html" "小象湾托育中心&lt;script&gt;alert(1)&lt;/script&gt;" "HTML: the node name is escaped"
unlike "$html" "<script" "HTML: no raw user HTML"

# ---- a node --------------------------------------------------------------------------------

at $T1 lucai sync >>"$T/log" 2>&1 # the office's confirmation of its change
at $T1 lucai exec "UPDATE care_class SET capacity = 2 WHERE id = 'c-ru'" >>"$T/log" 2>&1
at $T1 lucai exec "UPDATE care_class SET name = '托小班二班(下午)' WHERE id = 'c-xiao2'" \
	>>"$T/log" 2>&1
at $T2 lucai report >"$T/lucai.md"
is "$?" 0 "report at a node exits 0"
node=$(cat "$T/lucai.md")
like "$node" "2 change(s) not yet pushed, 0 pushed and waiting" "the pending changes"
like "$node" "| office | 2026-11-28 10:00 | 3 days | none |" "the last sync and its age"
classes=$(sed -n '/^## Classes near capacity/,$p' "$T/lucai.md")
like "$classes" "| 乳儿班 | 0\\-1 | 2 | 1 | 1 |" "a class with 1 of 2 places free is near capacity"
unlike "$classes" "托小班一班" "a class with 24 of 25 places free is not"

# the last error, verbatim: break qinyuan-tuoyu's remote
at $T1 qinyuan-tuoyu remote remove office >>"$T/log" 2>&1
at $T1 qinyuan-tuoyu remote add office "$T/nowhere/qinyuan.git" >>"$T/log" 2>&1
# a folder there that holds no repository (a missing one is a stick not plugged in: skipped)
mkdir -p "$T/nowhere/qinyuan.git" && echo notes >"$T/nowhere/qinyuan.git/notes.txt"
at $T1 qinyuan-tuoyu sync >>"$T/log" 2>&1
err=$(sq d/nodes/qinyuan-tuoyu "SELECT last_error FROM hearth_remote WHERE name = 'office'")
isnt "$err" "" "a failed sync leaves a last error"
at $T2 qinyuan-tuoyu report >"$T/qinyuan.md"
got=$(grep '^| office |' "$T/qinyuan.md" | sed 's/\\\(.\)/\1/g')
like "$got" "| $err (2026-11-28 10:00, 3 days ago) |" "the report shows the last error verbatim"

# open requests at the station, with HTML in a request
at $T1 guangchangdong exec "INSERT INTO service_request (owner, id, service_type_id,
	requested_at, details, status) VALUES (hearth_node(), 'r9', 'repair', '2026-11-28T08:00:00+08:00',
	'<b>水管</b>漏水', 'new')" >>"$T/log" 2>&1
at $T1 guangchangdong report --html >"$T/gcd.html"
like "$(cat "$T/gcd.html")" "<td>2026-11-28 08:00</td><td>维修服务</td><td>new</td><td></td><td>&lt;b&gt;水管&lt;/b&gt;漏水</td>" \
	"an open request is listed, its details escaped"
unlike "$(cat "$T/gcd.html")" "<b>" "no raw HTML from the request"
unlike "$(cat "$T/gcd.html")" "| 2026-10-14 08:00 |" "done requests are not listed"

check_not "an unknown option is refused" at $T1 lucai report --nope
done_testing
