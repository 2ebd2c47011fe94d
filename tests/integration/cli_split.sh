#!/usr/bin/env bash
# `hearth` and hearth-full (cli/main.c): hearth runs the commands on the local database itself,
# linked with SQLite and not libgit2, libmicrohttpd or cmark (what figure 3 of
# docs/performance.md measures), and hands every other command, argv and environment unchanged,
# to hearth-full beside it. Each command of `hearth help` either runs without hearth-full or
# reaches it; without it, such a command says so in one line (in the user's language).
. "$(dirname "$0")/lib.sh" "$@"

# the commands that need hearth-full; every other command of `hearth help` must run without it
FULL="init status remote push pull sync rejoin quarantine conflicts snapshot clone key site report
serve user demo"

run() {
	"$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}
one_line() { [ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ] && [ -n "$ERR" ]; }

check "hearth-full is built next to hearth" test -x "$(dirname "$HEARTH")/hearth-full"

# what hearth itself links: SQLite, not the libraries of sync/, app/ and site-gen/
if command -v readelf >/dev/null; then
	needed=$(readelf -d "$HEARTH" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
	like "$needed" "libsqlite3" "hearth links SQLite"
	for lib in libgit2 libmicrohttpd libcmark libgnutls libsodium; do
		unlike "$needed" "$lib" "hearth does not link $lib"
	done
else
	pass "# SKIP no readelf"
fi

# a node made by the real pair, then a copy of hearth alone: the local commands still work
D=$T/lucai
run "$HEARTH" -C "$D" init --node lucai --kind childcare_centre --name 潞才托育中心
is "$RC" 0 "init through hearth reaches hearth-full and succeeds"
mkdir -p "$T/alone" "$T/fake"
cp "$HEARTH" "$T/alone/hearth"
cp "$HEARTH" "$T/fake/hearth"
A=$T/alone/hearth
run "$A" -C "$D" exec "INSERT INTO care_class(owner,id,name,age_band,capacity) VALUES('lucai','c1','托大班','2-3',25)"
is "$RC" 0 "exec runs without hearth-full"
like "$OUT" "recorded change 2: 1 row" "exec without hearth-full records the change"
run "$A" -C "$D" query --csv "SELECT name FROM care_class"
like "$OUT" "托大班" "query runs without hearth-full"
run "$A" -C "$D" log -n 1
like "$OUT" "care_class" "log runs without hearth-full"
run "$A" --version
like "$OUT" "hearth " "--version runs without hearth-full"

# without hearth-full, a command that needs it fails in one line naming it
run "$A" -C "$D" status
is "$RC" 1 "status without hearth-full exits 1"
like "$ERR" "hearth: 'status' needs $T/alone/hearth-full, which cannot be run" \
	"status without hearth-full names the missing program"
check "the error is one line" one_line
LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 run "$A" -C "$D" sync
is "$RC" 1 "sync without hearth-full exits 1 in Chinese too"
like "$ERR" "需要 $T/alone/hearth-full" "the error is in Chinese"
unlike "$ERR" "needs" "no English left in the Chinese error"
run "$A" -C "$D" nosuchcommand
is "$RC" 2 "an unknown command is still a usage error, not a hand-over"

# a stand-in hearth-full that prints what it was given: every command of `hearth help` either
# runs in hearth or reaches it with the same arguments and environment
cat >"$T/fake/hearth-full" <<'EOF'
#!/bin/sh
printf 'companion argv0=%s dir=%s args=%s\n' "$0" "${HEARTH_DIR:-}" "$*"
exit 7
EOF
chmod +x "$T/fake/hearth-full"
F=$T/fake/hearth
cmds=$("$F" help | sed -n 's/^  hearth \([a-z]*\).*/\1/p' | tr '\n' ' ')
like " $cmds" " exec " "hearth help lists the commands"
reached=
for c in $cmds; do
	[ "$c" = help ] && continue
	run env HEARTH_DIR="$D" "$F" "$c" --some-option value
	if [ "$RC" = 7 ]; then
		reached="$reached $c"
		is "$OUT" "companion argv0=$T/fake/hearth-full dir=$D args=$c --some-option value" \
			"$c reaches hearth-full with its arguments and environment"
	fi
done
is "$(echo $reached)" "$(echo $FULL)" "exactly the commands that need hearth-full reach it"
run "$F" -C "$D" serve --listen 127.0.0.1:1
is "$OUT" "companion argv0=$T/fake/hearth-full dir= args=-C $D serve --listen 127.0.0.1:1" \
	"-C DIR before the command is handed over as given"

# through a symbolic link, hearth-full is found beside the program, not beside the link
mkdir -p "$T/links"
ln -s "$F" "$T/links/hearth"
run "$T/links/hearth" -C "$D" push
is "$RC" 7 "through a symbolic link, push reaches hearth-full beside the real program"

done_testing
