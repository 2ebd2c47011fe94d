#!/usr/bin/env bash
# The field's sharp edges: remotes as a clerk types them (a relative path, a USB stick to set up,
# a folder that can never work, a URL scheme hearth does not use, set-url), the wrong USB stick
# (refused in one line, nothing changes, set-url and the round completes), status showing an
# error only while it is the latest outcome, exit codes of refused data, clone's messages,
# `hearth backup` while the node is in use, and `site build`'s --base-url and --out marker.
. "$(dirname "$0")/lib.sh" "$@"

cd "$T" || exit 1
git init -q --bare c.git
git init -q --bare d.git
hh office init --node office --kind office --name O || fail "office init"
hh office remote add c "$T/c.git" || fail "office remote c"
hh office remote add d "$T/d.git" || fail "office remote d"
hh c init --node c --kind childcare_centre --name C || fail "c init"
hh d init --node d --kind childcare_centre --name D || fail "d init"

# ---- remote add: a relative path ---------------------------------------------------------------
mkdir -p elsewhere/deeper
out=$(cd elsewhere && "$HEARTH" -C ../c remote add office ../c.git 2>&1)
is "$(h c remote list)" "office $T/c.git" \
	"a relative path is stored absolute, against the folder the command ran in (not -C's)"
like "$out" "$T/c.git" "remote add prints the URL as stored"
out=$(cd elsewhere/deeper && "$HEARTH" -C ../../c sync 2>&1)
is "$?" 0 "so a sync run from another folder finds the repository: $out"
(cd elsewhere && "$HEARTH" -C ../d remote add office ./../d.git/ >/dev/null 2>&1)
is "$(h d remote list)" "office $T/d.git" "'.', '..' and a trailing slash are folded away"

# ---- remote add: URLs hearth does not use --------------------------------------------------------
out=$(h c remote add x 'ext::sh -c touch% pwned' 2>&1)
rc=$?
is "$rc" 2 "remote add refuses an ext:: URL (usage error)"
like "$out" "'ext::' is not a transport hearth uses" "with a clear message"
out=$(h c remote add x 'fd::3' 2>&1)
like "$out" "'fd::' is not a transport" "other TRANSPORT::ADDRESS forms are refused too"
is "$(h c remote list)" "office $T/c.git" "nothing was stored"
out=$(h c2 clone 'ext::sh -c touch% pwned' --node c 2>&1)
isnt "$?" 0 "clone refuses an ext:: URL"
[ ! -e pwned ] && [ ! -e c2/pwned ]
is "$?" 0 "and ran nothing"

# ---- remote add --init, and folders that can never be synced with -------------------------------
hh e init --node e --kind childcare_centre --name E || fail "e init"
out=$(h e remote add office "$T/usb/e.git" --init 2>&1)
is "$?" 0 "remote add --init on a missing path: $out"
is "$(git --git-dir="$T/usb/e.git" rev-parse --is-bare-repository 2>/dev/null)" true \
	"--init created a bare repository (and the folders above it)"
mkdir empty
out=$(h e remote set-url office empty 2>&1)
is "$?" 1 "an empty folder without --init: exit 1"
like "$out" "is an empty folder" "with what it is"
like "$out" "--init" "and what to do"
out=$(h e remote set-url office empty --init 2>&1)
is "$?" 0 "set-url --init on an empty folder: $out"
is "$(git --git-dir="$T/empty" rev-parse --is-bare-repository 2>/dev/null)" true \
	"--init made the empty folder a bare repository"
is "$(h e remote list)" "office $T/empty" "set-url changed the URL (stored absolute)"
hh office remote add e "$T/empty" || fail "office remote e"
w e "INSERT INTO child (owner,id,name) VALUES (hearth_node(),'e1','E')"
hh e sync && hh office sync && hh e sync
is "$?" 0 "a round through the repository --init made"
is "$(hq office "SELECT name FROM child WHERE owner = 'e'")" E "its write reached the office"

git init -q worktree
mkdir plain && echo notes >plain/notes.txt
for bad in worktree plain plain/notes.txt; do
	out=$(h e remote add other "$T/$bad" 2>&1)
	is "$?" 1 "remote add refuses '$bad': exit 1, not 3 (it never works)"
	out2=$(h e remote add other "$T/$bad" --init 2>&1)
	is "$?" 1 "and --init does not touch it"
done
like "$out" "is a file" "a file is named as one"
out=$(h e remote add other "$T/worktree" 2>&1)
like "$out" "working folder" "a repository with a working folder is named as one"
out=$(h e remote add other "$T/plain" 2>&1)
like "$out" "other files" "a folder of other files is named as one"
is "$(ls plain)" notes.txt "the plain folder is as it was"
is "$(h e remote list)" "office $T/empty" "none of them was stored"
# a remote stored by an older hearth that points at such a folder: sync says so, exit 1
sq e "UPDATE hearth_remote SET url = '$T/plain' WHERE name = 'office'"
out=$(h e sync 2>&1)
is "$?" 1 "sync with a plain folder as remote exits 1, not 3"
unlike "$out" "will retry" "and does not promise a retry"
sq e "UPDATE hearth_remote SET url = '$T/worktree' WHERE name = 'office'"
out=$(h e sync 2>&1)
is "$?" 1 "sync with a non-bare repository as remote exits 1"
out=$(h e remote set-url nosuch "$T/empty" 2>&1)
is "$?" 1 "set-url of a remote that does not exist fails"
like "$out" "no remote 'nosuch'" "naming it"
out=$(h e remote add office "$T/empty" 2>&1)
like "$out" "remote set-url office" "adding an existing name points at set-url"
h e remote set-url office "$T/empty" >/dev/null
out=$(h e remote set-url office "$T/usb/not-plugged-in.git" 2>&1)
is "$?" 0 "a stick not plugged in is accepted (it will be there later)"
h e remote set-url office "$T/empty" >/dev/null

# ---- status: the last error only while it is the latest outcome ----------------------------------
mv empty empty.away
out=$(h e sync 2>&1)
is "$?" 0 "the stick unplugged: sync skips it, exit 0"
like "$out" "skipped" "and says so in its line"
unlike "$(h e status)" "last error" "an unplugged stick is not an error"
# a folder in the stick's place that holds no repository is one
mkdir empty && echo x > empty/notes.txt
out=$(h e sync 2>&1)
isnt "$?" 0 "a folder without the repository in the stick's place fails"
like "$(h e status)" "last error" "status shows the error while it is the latest outcome"
rm -rf empty
mv empty.away empty
hh e sync || fail "sync with the stick back"
unlike "$(h e status)" "last error" "after a sync that worked, status no longer shows it"
like "$(h e status --json)" '"last_error": null' "nor does status --json"

# ---- the wrong USB stick ------------------------------------------------------------------------
w c "INSERT INTO child (owner,id,name) VALUES (hearth_node(),'c1','C one')"
w d "INSERT INTO child (owner,id,name) VALUES (hearth_node(),'d1','D one')"
hh c sync && hh d sync && hh office sync && hh c sync && hh d sync ||
	fail "first round"
# d writes and pushes, not merged yet: its stick's up is ahead of the office
w d "INSERT INTO child (owner,id,name) VALUES (hearth_node(),'d2','D two')"
hh d push || fail "d push"
w c "INSERT INTO child (owner,id,name) VALUES (hearth_node(),'c2','C two')"
refs_d() { git --git-dir="$T/d.git" for-each-ref --format='%(refname) %(objectname)'; }
before_d=$(refs_d)
before_c=$(sq c "SELECT (SELECT group_concat(seq || ':' || pushed) FROM hearth_outbox), (SELECT group_concat(key || '=' || value) FROM hearth_meta WHERE key IN ('down_head','up_head','office_seq','remote_up_seq'))")
h c dump >dump.c.before
h c remote set-url office "$T/d.git" >/dev/null
out=$(h c sync 2>&1)
rc=$?
is "$rc" 1 "syncing with another centre's stick exits 1"
is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 1 "in one line: $out"
like "$out" "node 'd'" "naming whose repository it is"
like "$out" "nothing was sent" "saying nothing was sent"
like "$out" "set-url" "and how to correct it"
out=$(h c push 2>&1)
is "$?" 1 "push alone is refused the same way"
is "$(refs_d)" "$before_d" "d's stick is untouched"
is "$(sq c "SELECT (SELECT group_concat(seq || ':' || pushed) FROM hearth_outbox), (SELECT group_concat(key || '=' || value) FROM hearth_meta WHERE key IN ('down_head','up_head','office_seq','remote_up_seq'))")" \
	"$before_c" "c's outbox and sync state are untouched"
h c dump >dump.c.after
cmp -s dump.c.before dump.c.after
is "$?" 0 "c's data is untouched"
like "$(h c status)" "node 'd'" "status shows why"
h c remote set-url office "$T/c.git" >/dev/null
out=$(h c sync 2>&1)
is "$?" 0 "after set-url to the right stick the sync succeeds: $out"
unlike "$(h c status)" "last error" "and status no longer shows the error"
hh office sync && hh c sync && hh d sync && hh office sync && hh c sync && hh d sync ||
	fail "settling rounds"
is "$(hq office "SELECT group_concat(owner || '/' || id, ' ') FROM (SELECT owner, id FROM child WHERE owner IN ('c','d') ORDER BY owner, id)")" \
	"c/c1 c/c2 d/d1 d/d2" "the office has every write of both centres"
is "$(hq office "SELECT count(*) FROM hearth_applied WHERE node IN ('c','d')")" \
	"$(hq office "SELECT count(DISTINCT node || '/' || seq) FROM hearth_applied WHERE node IN ('c','d')")" \
	"none of them twice"
is "$(hq office "SELECT count(*) FROM hearth_quarantine")" 0 "nothing quarantined"
cmp_dump c
cmp_dump d

# ---- exit codes of refused data ------------------------------------------------------------------
out=$(h c exec "INSERT INTO child (owner,id,name) VALUES (hearth_node(),'c1','again')" 2>&1)
is "$?" 1 "exec: a UNIQUE constraint failure exits 1"
out=$(h c exec "INSERT INTO child (owner,id) VALUES (hearth_node(),'c9')" 2>&1)
is "$?" 1 "exec: a NOT NULL constraint failure exits 1"
out=$(h c exec "INSERT INTO care_class (owner,id,name,age_band,capacity) VALUES (hearth_node(),'k','n','2-3',-1)" 2>&1)
is "$?" 1 "exec: a CHECK constraint failure exits 1"
out=$(h c exec "INSERT INTO enrolment (owner,id,child_id,class_id) VALUES (hearth_node(),'e9','nobody','noclass')" 2>&1)
is "$?" 1 "exec: a FOREIGN KEY constraint failure exits 1"
out=$(h c exec "INSERT INTO no_such_table VALUES (1)" 2>&1)
is "$?" 2 "exec: SQL that does not compile is still a usage error (2)"
printf 'owner,id,name\nc,c8,\n' >nn.csv
out=$(h c import child nn.csv 2>&1)
is "$?" 1 "import: a NOT NULL constraint failure exits 1"
printf 'owner,id,name\nc,c1,dup\n' >dup.csv
out=$(h c import child dup.csv 2>&1)
is "$?" 1 "import: a UNIQUE constraint failure exits 1"

# ---- clone: no "will retry on next sync" ---------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || echo 9)
for url in "$T/nowhere.git" "$T/plain" "$T/worktree" "git://127.0.0.1:$port/c.git"; do
	out=$(HEARTH_NET_IDLE_SECONDS=20 timeout 60 "$HEARTH" -C "$T/restored" clone "$url" --node c 2>&1)
	rc=$?
	isnt "$rc" 0 "clone from '$url' fails"
	unlike "$out" "will retry" "and does not say it will retry: $out"
	[ ! -e restored ]
	is "$?" 0 "leaving nothing behind"
done

# ---- backup --------------------------------------------------------------------------------------
for i in $(seq 1 30); do
	w c "INSERT INTO child (owner,id,name) VALUES (hearth_node(),'b$i','备份 $i')"
done
out=$(h c backup "$T/c-backup.db" 2>&1)
is "$?" 0 "hearth backup: $out"
is "$(sqlite3 c-backup.db "SELECT count(*) FROM child WHERE id LIKE 'b%'")" 30 \
	"the backup holds every write, including those still in the WAL"
is "$(sqlite3 c-backup.db "PRAGMA journal_mode")" delete "the backup is one file (no WAL)"
is "$(sqlite3 c-backup.db "PRAGMA integrity_check")" ok "and passes integrity_check"
cp c-backup.db c-backup.copy
out=$(h c backup "$T/c-backup.db" 2>&1)
is "$?" 1 "an existing file is not overwritten: exit 1"
like "$out" "exists already" "saying so"
like "$out" "--force" "and how to replace it"
cmp -s c-backup.db c-backup.copy
is "$?" 0 "the existing file is unchanged"
out=$(h c backup "$T/c/hearth.db" --force 2>&1)
is "$?" 2 "the node's own database is never the target, even with --force"
out=$(h c backup "$T/no/such/folder/b.db" 2>&1)
is "$?" 1 "a folder that does not exist: exit 1"
like "$out" "cannot create" "with a clear message"
[ ! -e no ]
is "$?" 0 "and nothing is made"
# consistent while the node is in use: a writer runs during the backups; each write and its
# outbox entry are one transaction, so a copy of one moment holds both or neither
outbox0=$(hq c "SELECT count(*) FROM hearth_outbox")
(for i in $(seq 1 25); do "$HEARTH" -C "$T/c" exec "INSERT INTO child (owner,id,name) VALUES (hearth_node(),'live$i','x')" >/dev/null 2>&1; done) &
writer=$!
for i in 1 2 3; do
	h c backup "$T/live$i.db" >/dev/null 2>&1 || fail "backup $i during writes"
done
wait "$writer"
for i in 1 2 3; do
	is "$(sqlite3 "live$i.db" "PRAGMA integrity_check")" ok "backup $i taken during writes is intact"
	is "$(sqlite3 "live$i.db" "SELECT (SELECT count(*) FROM hearth_outbox) - $outbox0 = (SELECT count(*) FROM child WHERE id LIKE 'live%')")" \
		1 "backup $i holds every write whole, with its outbox entry"
done
out=$(h c backup "$T/c-backup.db" --force 2>&1)
is "$?" 0 "--force replaces the file"
# restoring: the backup as hearth.db in a new folder is the node as of the backup
mkdir back && cp c-backup.db back/hearth.db
is "$(hq back "SELECT count(*) FROM child WHERE id LIKE 'live%'")" 25 "a restored backup opens as the node"
like "$(h back status)" "node c (childcare_centre)" "with the node's identity"

# ---- site build: --base-url and the --out marker -------------------------------------------------
for bad in "example.org" "ftp://example.org" "https://" "//example.org" "https://ex ample.org" \
	'https://example.org/"x' "https://example.org/?q=1" "javascript:alert(1)"; do
	out=$(h office site build --out "$T/site" --base-url "$bad" 2>&1)
	is "$?" 2 "--base-url '$bad' is refused as a usage error"
done
like "$out" "not an absolute http:// or https:// URL" "with a clear message"
[ ! -e site ]
is "$?" 0 "and nothing is built"
out=$(h office site build --out "$T/site" --base-url "https://care.example/city/" 2>&1)
is "$?" 0 "an absolute https URL with a trailing slash: $out"
unlike "$(cat site/sitemap.xml site/robots.txt site/events.atom 2>/dev/null | sed 's#https://##g; s#http://##g')" "//" \
	"no '//' inside any absolute URL"
like "$(cat site/robots.txt)" "Sitemap: https://care.example/city/sitemap.xml" \
	"robots.txt names the sitemap under the base"
mkdir precious && echo "do not delete" >precious/thesis.txt && : >precious/.hearth-site
out=$(h office site build --out "$T/precious" 2>&1)
is "$?" 2 "a planted empty .hearth-site marker does not make a folder hearth's"
is "$(cat precious/thesis.txt)" "do not delete" "the folder is untouched"
printf 'something else\n' >precious/.hearth-site
out=$(h office site build --out "$T/precious" 2>&1)
is "$?" 2 "nor does a marker with other content"
out=$(h office site build --out "$T/site" 2>&1)
is "$?" 0 "a folder hearth built is rebuilt (its marker is hearth's): $out"

done_testing
