# Shared helpers for the sync integration tests (bash TAP scripts). Source it from a test:
#
#   . "$(dirname "$0")/lib.sh" "$@"      # $1: the hearth binary
#
# It sets HEARTH (the binary), T (a fresh temporary folder, removed on exit), and provides:
#
#   h NODE ARGS...         run hearth -C $T/NODE ARGS...
#   hq NODE SQL            hearth query --csv without the header (one value per line)
#   sq NODE SQL            sqlite3 on $T/NODE/hearth.db (engine tables hearth does not expose)
#   pass DESC / fail DESC [DIAG]
#   check DESC CMD...      ok if CMD exits 0
#   check_not DESC CMD...  ok if CMD exits non-zero
#   is GOT WANT DESC       ok if the strings are equal
#   isnt GOT WANT DESC     ok if they differ
#   like GOT TEXT DESC     ok if GOT contains TEXT (fixed string)
#   unlike GOT TEXT DESC   ok if GOT does not contain TEXT
#   cmp_dump NODE [DESC]   `hearth dump` at NODE byte-identical to `hearth dump --for NODE` at
#                          the office ($T/office)
#   at_cleanup CMD         run CMD on exit (before the folder is removed)
#   done_testing           print the plan, exit 1 if anything failed
#
# Every loop in these tests is bounded; nothing waits without a limit.

set -u

HEARTH=${1:-}
if [ -z "$HEARTH" ] || [ ! -x "$HEARTH" ]; then
	echo "Bail out! usage: $0 HEARTH_BINARY"
	exit 1
fi
case $HEARTH in
/*) ;;
*) HEARTH=$PWD/$HEARTH ;;
esac
export HEARTH
LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# messages in English unless a test asks for another language (LC_ALL=zh_CN.UTF-8 h ...)
unset LANGUAGE LC_MESSAGES
export LC_ALL=C.UTF-8

# tests pin their clocks explicitly where order matters
unset HEARTH_DIR HEARTH_TEST_NOW_MS
export GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=test GIT_AUTHOR_EMAIL=test@hearth.invalid \
	GIT_COMMITTER_NAME=test GIT_COMMITTER_EMAIL=test@hearth.invalid
export HOME=${HOME:-/tmp}

TAP_N=0
TAP_FAILED=0
LIB_CLEANUPS=()

T=$(mktemp -d "${TMPDIR:-/tmp}/hearth-it-XXXXXX") || {
	echo "Bail out! cannot create a temporary folder"
	exit 1
}

lib_cleanup() {
	local c
	for c in "${LIB_CLEANUPS[@]+"${LIB_CLEANUPS[@]}"}"; do
		eval "$c" >/dev/null 2>&1
	done
	if [ -n "${KEEP_TMP:-}" ]; then
		echo "# kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap lib_cleanup EXIT

at_cleanup() {
	LIB_CLEANUPS+=("$1")
	trap lib_cleanup EXIT
}

diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

pass() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1"
}

fail() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $1"
	if [ $# -gt 1 ] && [ -n "$2" ]; then
		diag "$2"
	fi
}

check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$desc"
	else
		fail "$desc" "command failed ($?): $* :: $(printf '%s' "$out" | tail -n 5)"
	fi
}

check_not() {
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then
		fail "$desc" "command succeeded but should not: $*"
	else
		pass "$desc"
	fi
}

is() {
	if [ "$1" = "$2" ]; then
		pass "$3"
	else
		fail "$3" "got:      '$(printf '%s' "$1" | head -c 2000)'
expected: '$(printf '%s' "$2" | head -c 2000)'"
	fi
}

isnt() {
	if [ "$1" != "$2" ]; then
		pass "$3"
	else
		fail "$3" "both are: '$(printf '%s' "$1" | head -c 2000)'"
	fi
}

like() {
	case $1 in
	*"$2"*) pass "$3" ;;
	*) fail "$3" "'$(printf '%s' "$1" | head -c 2000)' does not contain '$2'" ;;
	esac
}

unlike() {
	case $1 in
	*"$2"*) fail "$3" "'$(printf '%s' "$1" | head -c 2000)' contains '$2'" ;;
	*) pass "$3" ;;
	esac
}

h() {
	local node=$1
	shift
	"$HEARTH" -C "$T/$node" "$@"
}

# quiet hearth: output and errors go to $T/log, the exit code is kept (bounded by timeout)
hh() {
	local node=$1
	shift
	echo "+ hearth -C $node $*" >>"$T/log"
	timeout "${HH_TIMEOUT:-120}" "$HEARTH" -C "$T/$node" "$@" >>"$T/log" 2>&1
}

hq() {
	"$HEARTH" -C "$T/$1" query --csv "$2" | tail -n +2 | tr -d '\r'
}

sq() {
	sqlite3 "$T/$1/hearth.db" "$2"
}

# The seq of a node's last recorded write, as hearth reads it: a write keeps it in its outbox
# row only; hearth_meta 'seq' holds it as of the last time outbox rows left.
SEQ_SQL="max(coalesce((SELECT CAST(value AS INTEGER) FROM hearth_meta WHERE key = 'seq'), 0),
	coalesce((SELECT max(seq) FROM hearth_outbox), 0))"
node_seq() {
	sq "$1" "SELECT $SEQ_SQL"
}

cmp_dump() {
	local node=$1 desc=${2:-"$1: dump equals the office's dump --for $1"}
	"$HEARTH" -C "$T/$node" dump >"$T/dump.$node.node" 2>"$T/dump.err"
	"$HEARTH" -C "$T/office" dump --for "$node" >"$T/dump.$node.office" 2>>"$T/dump.err"
	if [ ! -s "$T/dump.$node.office" ]; then
		fail "$desc" "office dump --for $node is empty: $(cat "$T/dump.err")"
	elif cmp -s "$T/dump.$node.node" "$T/dump.$node.office"; then
		pass "$desc"
	else
		fail "$desc" "$(diff "$T/dump.$node.node" "$T/dump.$node.office" | head -n 20)"
	fi
}

done_testing() {
	echo "1..$TAP_N"
	if [ "$TAP_FAILED" -gt 0 ]; then
		echo "# $TAP_FAILED of $TAP_N failed" >&2
		if [ -s "$T/log" ]; then
			echo "# last hearth output:" >&2
			tail -n 15 "$T/log" | sed 's/^/#   /' >&2
		fi
		exit 1
	fi
	exit 0
}

# ---- the story shared by sync_daemon.sh and sync_folder.sh ---------------------------------

# new_node ID KIND NAME URL: init a node in $T/ID whose remote 'office' is URL, and give the
# office a remote named ID with the same URL.
new_node() {
	hh "$1" init --node "$1" --kind "$2" --name "$3" &&
		hh "$1" remote add office "$4" &&
		hh office remote add "$1" "$4"
}

# w NODE SQL: a recorded write at NODE that must succeed (a failure is a failed test)
w() {
	hh "$1" exec "$2" || fail "write at $1: $2"
}

# sync_all NODE...: sync each named node (office included) once, in the order given; counts
# failures in SYNC_FAILED
SYNC_FAILED=0
sync_all() {
	local n
	for n in "$@"; do
		hh "$n" sync || SYNC_FAILED=$((SYNC_FAILED + 1))
	done
}

# story URL_FN: office + two childcare centres + a hospital, offline edits on all, several
# rounds of syncs in different orders, then the nodes settle (every node syncs twice after the
# last write reached the office). URL_FN NODE prints the URL of NODE's repository.
# Asserts what every node must hold afterwards.
STORY_NODES="lucai xiaoxiangwan fuyou"
story() {
	local url_of=$1 n
	hh office init --node office --kind office --name "长治市卫健委" ||
		fail "office init"
	new_node lucai childcare_centre "潞才托育中心" "$($url_of lucai)" || fail "lucai init"
	new_node xiaoxiangwan childcare_centre "小香湾托育" "$($url_of xiaoxiangwan)" ||
		fail "xiaoxiangwan init"
	new_node fuyou hospital "长治市妇幼保健院" "$($url_of fuyou)" || fail "fuyou init"

	# offline: nobody has synced yet
	w office "INSERT INTO region (owner,id,parent_id,level,name,name_en) VALUES ('office','xinqu','luzhou','street','新区街道','Xinqu')"
	w office "INSERT INTO service_type (owner,id,domain,name,name_en,description) VALUES ('office','nap_room','childcare','午休室','Nap room',NULL)"
	w lucai "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('lucai','lc-sun','太阳班','1-2',12)"
	w lucai "INSERT INTO child (owner,id,name,sex) VALUES ('lucai','lc-k1','王小明','m'), ('lucai','lc-k2','李小红','f')"
	w lucai "INSERT INTO enrolment (owner,id,child_id,class_id) VALUES ('lucai','lc-e1','lc-k1','lc-sun')"
	w lucai "INSERT INTO partnership (owner,id,partner_id,kind,since,services) VALUES ('lucai','lc-p1','fuyou','medical','2024-01-01','体检')"
	w xiaoxiangwan "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('xiaoxiangwan','xx-moon','月亮班','2-3',20)"
	w xiaoxiangwan "INSERT INTO child (owner,id,name) VALUES ('xiaoxiangwan','xx-k1','张小花')"
	w xiaoxiangwan "INSERT INTO partnership (owner,id,partner_id,kind,since,services) VALUES ('xiaoxiangwan','xx-p1','fuyou','medical','2024-03-01',NULL)"
	w fuyou "INSERT INTO health_check (owner,id,centre_id,child_id,checked_on,height_cm,weight_kg) VALUES ('fuyou','fy-h1','xiaoxiangwan','xx-k1','2024-04-02',92.5,13.1)"
	w fuyou "INSERT INTO health_check (owner,id,centre_id,child_id,checked_on) VALUES ('fuyou','fy-h2','lucai','lc-k1','2024-04-03')"

	# round 1
	sync_all lucai fuyou office xiaoxiangwan office lucai
	# more offline edits, some on rows that came from elsewhere
	w fuyou "UPDATE health_check SET findings = '发育正常' WHERE id = 'fy-h1'"
	w xiaoxiangwan "UPDATE child SET notes = '花生过敏' WHERE id = 'xx-k1'"
	w lucai "DELETE FROM child WHERE id = 'lc-k2'"
	w lucai "UPDATE care_class SET name = '太阳一班' WHERE id = 'lc-sun'"
	w office "UPDATE service_type SET description = '午休' WHERE id = 'nap_room'"
	# round 2, another order
	sync_all office xiaoxiangwan fuyou office lucai fuyou
	w xiaoxiangwan "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('xiaoxiangwan','xx-star','星星班','0-1',8)"
	w fuyou "UPDATE health_check SET next_due = '2024-10-01' WHERE id = 'fy-h2'"
	# round 3
	sync_all fuyou xiaoxiangwan office
	# settle: after the last write, every node syncs twice around office syncs
	sync_all lucai xiaoxiangwan fuyou office lucai xiaoxiangwan fuyou office lucai xiaoxiangwan fuyou
	is "$SYNC_FAILED" 0 "every sync exited 0"

	for n in $STORY_NODES; do
		cmp_dump "$n"
	done
	is "$(hq office "SELECT count(*) FROM child")" 2 "office holds the children of both centres"
	is "$(hq office "SELECT group_concat(id, '|') FROM (SELECT id FROM child ORDER BY id)")" \
		"lc-k1|xx-k1" "the deleted child is gone at the office"
	is "$(hq xiaoxiangwan "SELECT findings || ' ' || centre_id FROM health_check")" \
		"发育正常 xiaoxiangwan" "xiaoxiangwan received the hospital's health_check with its update"
	is "$(hq lucai "SELECT group_concat(id || '/' || coalesce(next_due, '-')) FROM health_check")" \
		"fy-h2/2024-10-01" "lucai received only its own child's health_check, updated"
	is "$(hq fuyou "SELECT group_concat(id, '|') FROM (SELECT id FROM partnership ORDER BY id)")" \
		"lc-p1|xx-p1" "the hospital received both partnerships naming it"
	is "$(hq fuyou "SELECT count(*) FROM child")" 0 "the hospital sees no child rows"
	is "$(hq lucai "SELECT count(*) FROM child WHERE owner <> 'lucai'")" 0 \
		"lucai sees no other centre's children"
	is "$(hq xiaoxiangwan "SELECT group_concat(id, '|') FROM (SELECT id FROM care_class ORDER BY id)")" \
		"xx-moon|xx-star" "xiaoxiangwan holds its own classes only"
	for n in $STORY_NODES; do
		is "$(hq "$n" "SELECT name || ' ' || coalesce(description, '-') FROM service_type WHERE id = 'nap_room'")" \
			"午休室 午休" "$n received the office's reference data and its update"
		is "$(h "$n" status --json | tr -d ' ' | grep -o '"pending":[0-9]*')" '"pending":0' \
			"$n: nothing pending"
	done
	is "$(hq lucai "SELECT name FROM care_class WHERE id = 'lc-sun'")" "太阳一班" \
		"lucai's own update survived the round trip"
}

# ---- crafting hostile commits (tests of the office's verify) ------------------------------------
# Callers set: fingerprint, schema, clock (read from real commits) and keep node repos in $T/usb.

# a changeset of `node`'s own rows that the real node never wrote: from a scratch node of the
# same id. Prints its file name.
own_changeset() { # own_changeset NODE MARKER
	local d="scratch-$1"
	hh "$d" init --node "$1" --kind childcare_centre --name scratch >/dev/null &&
		hh "$d" exec "INSERT INTO child (owner,id,name) VALUES ('$1','hk','$2')" &&
		sq "$d" "SELECT writefile('$T/$d.cs', changeset) FROM hearth_outbox WHERE seq = 2" >/dev/null
	echo "$T/$d.cs"
}
# craft NODE BLOBFILE SEQ [CLAIMED_NODE [FINGERPRINT [FORMAT]]]: one commit on NODE's `up`,
# child of the current head, written into NODE's bare remote repository
craft() {
	local node=$1 file=$2 seq=$3 claim=${4:-$1} fp=${5:-$fingerprint} fmt=${6:-1}
	local repo="$T/usb/$node.git" blob tree parent commit name
	name=$(printf '%020d' "$seq")
	blob=$(git -C "$repo" hash-object -w "$file") &&
		tree=$(printf '100644 blob %s\t%s\n' "$blob" "$name" | git -C "$repo" mktree) &&
		parent=$(git -C "$repo" rev-parse refs/heads/up) &&
		printf '%s: crafted\n\nHearth-Format: %s\nHearth-Direction: up\nHearth-Node: %s\nHearth-Schema: %s\nHearth-Fingerprint: %s\nHearth-Entry: %s %s\n' \
			"$claim" "$fmt" "$claim" "$schema" "$fp" "$seq" "$clock" >"$T/msg" &&
		commit=$(git -C "$repo" commit-tree "$tree" -p "$parent" -F "$T/msg") &&
		git -C "$repo" update-ref refs/heads/up "$commit" "$parent" &&
		echo "$commit"
}


# ---- format 2 commits (docs/format.md, section 2): the entries in one blob ------------------------

# entries_blob OUT PREV_SEQ PREV_CLOCK [SEQ CLOCK FILE]...: write to OUT the format 2 encoding of
# the entries (each: seq, clock as 16 hex digits, the file of its changeset), after an entry
# PREV_SEQ PREV_CLOCK (0 0 for the first blob of a commit). Written from the format document, not
# from hearth's code, so a commit crafted with it checks the document too.
entries_blob() {
	perl -e '
		use strict;
		sub varint {
			my ($v) = @_;
			my @b;
			if ($v >> 56) {
				@b = ($v & 0xff);
				$v >>= 8;
				for (1 .. 8) { unshift @b, ($v & 0x7f) | 0x80; $v >>= 7; }
				return pack("C*", @b);
			}
			@b = ($v & 0x7f);
			$v >>= 7;
			while ($v) { unshift @b, ($v & 0x7f) | 0x80; $v >>= 7; }
			return pack("C*", @b);
		}
		my ($out, $pseq, $pclock, @e) = @ARGV;
		$pclock = hex($pclock);
		open(my $o, ">:raw", $out) or die "$out: $!";
		while (@e) {
			my ($seq, $clock, $file) = splice(@e, 0, 3);
			$clock = hex($clock);
			open(my $f, "<:raw", $file) or die "$file: $!";
			local $/;
			my $cs = <$f>;
			$cs = "" unless defined $cs;
			close($f);
			# the clock step, zigzag-folded: 2d, or 2|d| - 1 for a step back
			my $d = $clock >= $pclock ? ($clock - $pclock) << 1 : (($pclock - $clock) << 1) - 1;
			print $o varint($seq - $pseq), varint($d), varint(length($cs)), $cs;
			($pseq, $pclock) = ($seq, $clock);
		}
		close($o);
	' "$@" 2>>"$T/log"
}

# craft2 NODE ENTRIES CLAIMED_NODE FILE... : one format 2 commit on NODE's `up` (child of the
# current head) whose message says "Hearth-Entries: ENTRIES" for CLAIMED_NODE and whose tree
# holds the FILEs as entries.1, entries.2, ... A FILE given as NAME=PATH is stored as NAME
# instead. Extra trailer lines come from $CRAFT_TRAILERS, the format from $CRAFT_FORMAT (2).
craft2() {
	local node=$1 entries=$2 claim=$3 repo="$T/usb/$1.git" blob tree parent commit f name i=0
	local last=
	shift 3
	: >"$T/tree"
	for f in "$@"; do
		i=$((i + 1))
		name="entries.$i"
		case $f in *=*) name=${f%%=*} f=${f#*=} ;; esac
		# a file given again in a row is the same blob (a flood names one file K times)
		[ "$f" = "$last" ] || blob=$(git -C "$repo" hash-object -w "$f") || return 1
		last=$f
		printf '100644 blob %s\t%s\n' "$blob" "$name" >>"$T/tree"
	done
	tree=$(git -C "$repo" mktree <"$T/tree") &&
		parent=$(git -C "$repo" rev-parse refs/heads/up) &&
		{
			printf '%s: crafted\n\nHearth-Format: %s\nHearth-Direction: up\nHearth-Node: %s\nHearth-Schema: %s\nHearth-Fingerprint: %s\n' \
				"$claim" "${CRAFT_FORMAT:-2}" "$claim" "$schema" "$fingerprint"
			[ -n "${CRAFT_TRAILERS:-}" ] && printf '%s\n' "$CRAFT_TRAILERS"
			printf 'Hearth-Entries: %s\n' "$entries"
		} >"$T/msg" &&
		commit=$(git -C "$repo" commit-tree "$tree" -p "$parent" -F "$T/msg") &&
		git -C "$repo" update-ref refs/heads/up "$commit" "$parent" &&
		echo "$commit"
}

# flood_blob OUT FIRST_SEQ CLOCK N BYTES [bad]: an entries blob (format 2) of N entries, each one
# INSERT of a child of node $node whose name is BYTES bytes of one repeated byte (a changeset of
# at most 16 MiB: BYTES up to 16777100). FIRST_SEQ > 0 makes it the commit's first blob, whose
# first entry is that seq at CLOCK (16 hex digits); otherwise each entry steps the seq by 1 and
# the clock by 0. With "bad", the last entry's operation byte is one no changeset has. Blobs of
# many such entries compress to almost nothing: a push of kilobytes that stands for gigabytes.
flood_blob() {
	perl -e '
		use strict;
		sub varint {
			my ($v) = @_;
			my @b = ($v & 0x7f);
			$v >>= 7;
			while ($v) { unshift @b, ($v & 0x7f) | 0x80; $v >>= 7; }
			return pack("C*", @b);
		}
		sub text { my ($s) = @_; return "\x03" . varint(length($s)) . $s; }
		my ($out, $first, $clock, $n, $bytes, $bad, $node) = @ARGV;
		open(my $o, ">:raw", $out) or die "$out: $!";
		my $name = "a" x $bytes;
		for my $i (1 .. $n) {
			my $cs = "T" . varint(8) . "\x01\x02" . ("\x00" x 6) . "child\x00" .
				(($bad && $i == $n) ? "\x42" : "\x12") . "\x00" .
				text($node) . text("flood$i") . text($name) . ("\x05" x 5);
			my ($step, $z) = ($first && $i == 1) ? ($first, hex($clock) << 1) : (1, 0);
			print $o varint($step), varint($z), varint(length($cs)), $cs;
		}
		close($o);
	' "$1" "$2" "$3" "$4" "$5" "${6:-}" "$node" 2>>"$T/log"
}

# flood_commit NODE K N BYTES: one format 2 commit on NODE's `up`, after seq $seq, of K blobs of
# N entries of BYTES each (flood_blob), the last entry malformed. Blobs 2 .. K-1 are one object.
flood_commit() {
	local node=$1 k=$2 n=$3 bytes=$4 total i files=()
	total=$((k * n))
	flood_blob "$T/flood1" "$((seq + 1))" "$clock" "$n" "$bytes" "$([ "$k" = 1 ] && echo bad)"
	files+=("$T/flood1")
	if [ "$k" -gt 1 ]; then
		flood_blob "$T/flood2" 0 "$clock" "$n" "$bytes"
		flood_blob "$T/flood3" 0 "$clock" "$n" "$bytes" bad
		for ((i = 2; i < k; i++)); do files+=("$T/flood2"); done
		files+=("$T/flood3")
	fi
	craft2 "$node" "$total $((seq + 1)) $((seq + total))" "$node" "${files[@]}"
}
