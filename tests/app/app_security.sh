#!/bin/bash
# The app's server over real HTTP (127.0.0.1): sign-in, cookies and their flags, CSRF, roles,
# escaping, 404 outside the routes, idle expiry, slowed wrong passwords, the author of each
# write at the node and at the office, accounts never in the outbox or a synced repository,
# HTTPS with a certificate made on first run, a clean stop on SIGTERM.
. "$(dirname "$0")/../integration/lib.sh" "$@"
. "$(dirname "$0")/lib_app.sh"

ADMIN=王芳
APW='correct horse 1'
MARKER="zq9viewer$$"
outbox() { sq lucai "SELECT count(*) FROM hearth_outbox"; }

hh office init --node office --kind office --name Office >/dev/null
git init -q --bare "$T/lucai.git"
new_node lucai childcare_centre Lucai "$T/lucai.git" >/dev/null

# ---- accounts at the command line ----------------------------------------------------------
printf '%s\n' "$APW" | h lucai user add "$ADMIN" --role admin
is "$?" 0 "user add reads the password from stdin"
printf 'staffpass1\n' | h lucai user add bob --role staff
printf 'viewerpass1\n' | h lucai user add "$MARKER" --role viewer
printf 'short\n' | h lucai user add eve --role staff 2>"$T/err"
is "$?" 2 "a short password is refused (a usage error)"
like "$(cat "$T/err")" "too short" "the refusal says why"
printf 'anotherpw1\n' | h lucai user add bob --role staff 2>/dev/null
is "$?" 1 "an existing name is refused"
h lucai user add carol --role boss </dev/null 2>/dev/null
is "$?" 2 "an unknown role is a usage error"
is "$(h lucai user list | cut -f1 | tr '\n' ' ')" "bob $MARKER 王芳 " "user list names the accounts"
is "$(sq lucai "SELECT count(*) FROM hearth_account WHERE pwhash LIKE '\$argon2id\$%'")" 3 \
	"passwords are kept as Argon2id hashes"
is "$(outbox)" 1 "accounts are not recorded changes (only the node's own row)"

# ---- the server ------------------------------------------------------------------------------
serve U lucai
check "the server started on 127.0.0.1" test -n "$U"
is "$(code "$U/")" 303 "the start page sends a stranger to sign in"
H=$(curl -si "$U/login")
like "$H" "Content-Security-Policy: default-src 'self'; frame-ancestors 'none'" "CSP header"
like "$H" "X-Content-Type-Options: nosniff" "nosniff header"
like "$H" "Referrer-Policy: no-referrer" "referrer header"
like "$H" '<html lang="zh-CN">' "Chinese by default"
like "$(curl -s "$U/login?lang=en")" '<html lang="en">' "English with ?lang=en"
like "$(curl -s "$U/login")" "<h1>登录</h1>" "the sign-in page in Chinese, whatever the server's locale"
like "$(curl -s "$U/login?lang=en")" "<h1>Sign in</h1>" "and in English for a request that asks"
like "$(curl -s -b "hearth_lang=en" "$U/login")" "<h1>Sign in</h1>" "or whose cookie says so"
for p in /etc/passwd /admin /t/ /t/child/x /static/../hearth.db /login/x /index.html; do
	is "$(code "$U$p")" 404 "$p is outside the routes: 404"
done

J="$T/admin.jar"
is "$(login "$U" "$J" "$ADMIN" "$APW")" 303 "the admin signs in"
C=$(grep hearth_session "$J" | awk '{print $NF}')
H=$(curl -si -o /dev/null -D - --data-urlencode "name=$ADMIN" --data-urlencode "password=$APW" "$U/login")
like "$H" "Set-Cookie: hearth_session=" "the session cookie is set"
like "$H" "HttpOnly" "the cookie is HttpOnly"
like "$H" "SameSite=Strict" "the cookie is SameSite=Strict"
like "$H" "Path=/" "the cookie has Path=/"
is "$(printf '%s' "$C" | tr -d '\n' | wc -c)" 43 "the token is 256 bits (43 base64url characters)"
is "$(sq lucai "SELECT count(*) FROM hearth_app_session WHERE token_hash = '$C'")" 0 \
	"the database keeps a hash of the token, not the token"
like "$(curl -s -b "$J" "$U/")" "$ADMIN" "the start page names who signed in"
is "$(code -b "$J" "$U/nowhere")" 404 "unknown path signed in: 404"
K=$(csrf "$U" "$J")
is "${#K}" 64 "the start page carries the form token"

# ---- CSRF, roles, escaping, the author -------------------------------------------------------
before=$(outbox)
is "$(code -b "$J" -d 'name=x&age_band=1-2&capacity=5' "$U/t/care_class/new")" 403 \
	"a POST without the form token is refused"
is "$(code -b "$J" -d "csrf=${K%?}0&name=x&age_band=1-2&capacity=5" "$U/t/care_class/new")" 403 \
	"a POST with a wrong form token is refused"
is "$(code -d "csrf=$K&name=x&age_band=1-2&capacity=5" "$U/t/care_class/new")" 403 \
	"a POST without a session is refused"
is "$(outbox)" "$before" "nothing was written"
is "$(hq lucai "SELECT count(*) FROM care_class")" 0 "no class exists"

EVIL='<script>alert("x")</script> O'"'"'Brien & co'
loc=$(curl -s -o /dev/null -w '%{redirect_url}' -b "$J" --data-urlencode "csrf=$K" \
	--data-urlencode "name=$EVIL" -d 'age_band=1-2&capacity=5' "$U/t/care_class/new")
like "$loc" "/t/care_class/view?id=" "the write answers 303 to its view"
is "$(outbox)" $((before + 1)) "one write, one outbox entry"
is "$(sq lucai "SELECT author FROM hearth_outbox ORDER BY seq DESC LIMIT 1")" "$ADMIN" \
	"the outbox entry carries its author"
page=$(curl -s -b "$J" "$loc")
like "$page" '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; O&#39;Brien &amp; co' \
	"hostile text comes back escaped"
unlike "$page" '<script>' "no script element comes back"
like "$(h lucai log -n 1)" "$ADMIN" "hearth log at the node shows the author"

VJ="$T/viewer.jar"
is "$(login "$U" "$VJ" "$MARKER" viewerpass1)" 303 "a viewer signs in"
VK=$(csrf "$U" "$VJ")
is "$(code -b "$VJ" -d "csrf=$VK&name=v&age_band=1-2&capacity=5" "$U/t/care_class/new")" 403 \
	"a viewer's POST is refused"
is "$(code -b "$VJ" "$U/admin/users")" 403 "a viewer may not manage accounts"
is "$(outbox)" $((before + 1)) "the viewer wrote nothing"

# ---- account pages ---------------------------------------------------------------------------
is "$(code -b "$J" "$U/admin/users")" 200 "the admin sees the accounts page"
is "$(code -b "$J" --data-urlencode "csrf=$K" -d 'name=dora&role=staff&password=dorapass1' \
	"$U/admin/users/add")" 303 "the admin adds an account"
like "$(h lucai user list)" "dora	staff" "the account exists"
is "$(code -b "$J" -d 'name=dora2&role=staff&password=dorapass1' "$U/admin/users/add")" 403 \
	"adding without the form token is refused"
is "$(code -b "$J" --data-urlencode "csrf=$K" -d 'name=dora&role=staff&password=x' \
	"$U/admin/users/passwd")" 422 "a short new password is refused with the reason"
is "$(code -b "$J" --data-urlencode "csrf=$K" -d 'name=dora&password=newdorapass' \
	"$U/admin/users/passwd")" 303 "the admin changes a password"
is "$(login "$U" "$T/dora.jar" dora newdorapass)" 303 "the new password signs in"
is "$(code -b "$J" --data-urlencode "csrf=$K" -d 'name=dora' "$U/admin/users/remove")" 303 \
	"the admin removes an account"
is "$(code -b "$T/dora.jar" "$U/")" 303 "the removed account's session is gone"
is "$(outbox)" $((before + 1)) "account changes are never recorded writes"

# ---- sync: the author reaches the office, accounts never leave -------------------------------
h lucai sync >/dev/null 2>&1
h office sync >/dev/null 2>&1
h lucai sync >/dev/null 2>&1
like "$(h office log -n 5)" "$ADMIN" "the office's merged log shows the author"
is "$(sq office "SELECT count(*) FROM hearth_log WHERE author = '$ADMIN'")" 1 \
	"the office keeps the author with the merged entry"
objs=$(git -C "$T/lucai.git" cat-file --batch-all-objects --batch 2>/dev/null | tr -d '\0')
check "the repository holds the node's write" grep -q "Brien" <<<"$objs"
unlike "$objs" "argon2id" "no password hash in the synced repository"
unlike "$objs" "$MARKER" "no account name in the synced repository"
unlike "$objs" "hearth_account" "no account table in the synced repository"
is "$(sq office "SELECT count(*) FROM hearth_account")" 0 "the office has none of the node's accounts"
check_not "no account name in the office database" grep -q "$MARKER" "$T/office/hearth.db"

# ---- logout ----------------------------------------------------------------------------------
is "$(code -b "$J" -c "$J" --data-urlencode "csrf=$K" "$U/logout")" 303 "sign out"
is "$(code -b "$J" "$U/")" 303 "after signing out the start page asks to sign in"

# ---- wrong passwords are slowed --------------------------------------------------------------
kill "$U_PID"
export HEARTH_APP_THROTTLE_MS=3000
serve U lucai
unset HEARTH_APP_THROTTLE_MS
for i in 1 2 3 4 5; do
	is "$(login "$U" "$T/x.jar" bob wrongpass$i)" 403 "wrong password $i is refused"
done
is "$(login "$U" "$T/x.jar" bob staffpass1)" 429 "after 5 failures even the right password waits"
like "$(curl -s --data-urlencode name=bob --data-urlencode password=staffpass1 "$U/login?lang=en")" \
	"try again in" "the refusal says when to try again"
sleep 3.2
is "$(login "$U" "$T/x.jar" bob staffpass1)" 303 "after the delay the right password works"

# ---- sessions expire -------------------------------------------------------------------------
serve E lucai --idle 2
EJ="$T/idle.jar"
is "$(login "$E" "$EJ" bob staffpass1)" 303 "sign in to a server with a 2 s idle expiry"
is "$(code -b "$EJ" "$E/")" 200 "the session works"
sleep 3
is "$(code -b "$EJ" "$E/")" 303 "after 3 s idle the session has expired"

# ---- HTTPS and the certificate ----------------------------------------------------------------
serve S lucai --tls
like "$S" "https://" "with --tls the server speaks HTTPS"
check "the certificate was made in the node's folder" test -s "$T/lucai/app-cert.pem"
is "$(stat -c %a "$T/lucai/app-key.pem")" 600 "the key is readable by its owner only"
fp=$(sed -n 's/.*fingerprint.*: \([0-9A-F:]*\)$/\1/p' "$T/serve-S.log")
is "${#fp}" 95 "the fingerprint is printed"
if command -v openssl >/dev/null; then
	is "$(openssl x509 -in "$T/lucai/app-cert.pem" -noout -fingerprint -sha256 | sed 's/.*=//')" \
		"$fp" "the printed fingerprint is the certificate's"
fi
H=$(curl -sk -D - -o /dev/null --data-urlencode name=bob --data-urlencode password=staffpass1 "$S/login")
like "$H" "Secure" "under TLS the cookie is Secure"
kill "$S_PID"
serve S2 lucai --tls
unlike "$(cat "$T/serve-S2.log")" "made now" "the certificate is kept across restarts"
like "$(cat "$T/serve-S2.log")" "$fp" "with the same fingerprint"
"$HEARTH" -C "$T/lucai" serve --listen 0.0.0.0:0 >"$T/any.log" 2>&1 &
pid=$!
at_cleanup "kill $pid"
sleep 1
like "$(cat "$T/any.log")" "https://0.0.0.0:" "beyond loopback the server speaks HTTPS by default"
kill "$pid"
"$HEARTH" -C "$T/lucai" serve --listen 0.0.0.0:0 --insecure-http >"$T/any2.log" 2>&1 &
pid=$!
at_cleanup "kill $pid"
sleep 1
like "$(cat "$T/any2.log")" "http://0.0.0.0:" "plain HTTP beyond loopback only with --insecure-http"
kill "$pid"
h lucai serve --listen nowhere 2>/dev/null
is "$?" 2 "a bad listen address is a usage error"

# ---- a clean stop ----------------------------------------------------------------------------
kill -TERM "$E_PID"
for i in $(seq 1 50); do kill -0 "$E_PID" 2>/dev/null || break; sleep 0.1; done
check_not "SIGTERM stops the server" kill -0 "$E_PID"
wait "$E_PID"
is "$?" 0 "it exits 0"
check "each request was logged in one line" grep -q '^GET / 303 [0-9]*ms$' "$T/serve-E.log"
check_not "no query string or name in the log" grep -q "lang=\|bob" "$T/serve-U.log"

done_testing
