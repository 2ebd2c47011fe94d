#!/usr/bin/env bash
# Sync over ssh for real: an sshd on 127.0.0.1 (a free port, host and user keys made here, its
# own config in the test folder), the user key in an ssh-agent started here (hearth takes ssh
# credentials from the agent), and an office and two centres pushing, pulling and syncing through
# ssh:// URLs to bare repositories. Convergence is asserted with dumps.
. "$(dirname "$0")/lib.sh" "$@"

SSHD=$(command -v sshd || echo /usr/sbin/sshd)
if [ ! -x "$SSHD" ] || ! command -v ssh-agent >/dev/null || ! command -v ssh-keygen >/dev/null; then
	echo "1..0 # SKIP sshd, ssh-agent or ssh-keygen is not installed (Debian: openssh-server)"
	exit 0
fi

S=$T/sshd
mkdir -p "$S" "$T/srv"
ssh-keygen -q -t ed25519 -N '' -f "$S/host_key" -C hearth-test-host &&
	ssh-keygen -q -t ed25519 -N '' -f "$S/user_key" -C hearth-test-user ||
	{ echo "Bail out! ssh-keygen failed"; exit 1; }
cp "$S/user_key.pub" "$S/authorized_keys"
USER_NAME=$(id -un)

# sshd as root wants its privilege separation folder; make it only if it is missing
# (left in place afterwards: another sshd on the machine may need it too)
if [ "$(id -u)" = 0 ] && [ ! -d /run/sshd ]; then
	mkdir -p /run/sshd
fi

sshd_start() {
	local port try i
	for try in $(seq 1 20); do
		port=$((20000 + SRANDOM % 40001)) # not from the seeded RANDOM: parallel tests
		gitd_accepts "$port" && continue
		cat >"$S/sshd_config" <<EOF
ListenAddress 127.0.0.1
Port $port
HostKey $S/host_key
PidFile $S/sshd.pid
AuthorizedKeysFile $S/authorized_keys
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin yes
StrictModes no
UsePAM no
AllowUsers $USER_NAME
LogLevel VERBOSE
MaxStartups 100:30:200
LoginGraceTime 600
EOF
		"$SSHD" -D -e -f "$S/sshd_config" 2>>"$S/sshd.log" &
		SSHD_PID=$!
		for i in $(seq 1 50); do
			kill -0 "$SSHD_PID" 2>/dev/null || break
			if gitd_accepts "$port"; then
				SSH_PORT=$port
				return 0
			fi
			sleep 0.1
		done
		kill "$SSHD_PID" 2>/dev/null
		wait "$SSHD_PID" 2>/dev/null
	done
	return 1
}
if ! sshd_start; then
	echo "Bail out! cannot start sshd on 127.0.0.1: $(tail -n 3 "$S/sshd.log")"
	exit 1
fi
at_cleanup 'kill $SSHD_PID; wait $SSHD_PID'

diag "sshd on 127.0.0.1:$SSH_PORT"

# libgit2 checks the server's host key against ~/.ssh/known_hosts: a HOME of the test's own
export HOME=$T/home
mkdir -p "$HOME/.ssh"
echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$S/host_key.pub")" >"$HOME/.ssh/known_hosts"

eval "$(ssh-agent -s -a "$S/agent.sock")" >/dev/null ||
	{ echo "Bail out! cannot start ssh-agent"; exit 1; }
at_cleanup 'kill $SSH_AGENT_PID'
ssh-add -q "$S/user_key" 2>/dev/null || { echo "Bail out! ssh-add failed"; exit 1; }

for n in lucai xiaoxiangwan; do
	git init -q --bare "$T/srv/$n.git"
done
ssh_url() {
	echo "ssh://$USER_NAME@127.0.0.1:$SSH_PORT$T/srv/$1.git"
}

# the ssh server works for git itself (so a failure below is hearth's)
check "git ls-remote through the test sshd works" \
	env GIT_SSH_COMMAND="ssh -o BatchMode=yes -o UserKnownHostsFile=$HOME/.ssh/known_hosts" \
	git ls-remote "$(ssh_url lucai)"

hh office init --node office --kind office --name "长治市卫健委" || fail "office init"
new_node lucai childcare_centre "潞才托育中心" "$(ssh_url lucai)" || fail "lucai init"
new_node xiaoxiangwan childcare_centre "小香湾托育" "$(ssh_url xiaoxiangwan)" || fail "xiaoxiangwan init"
w office "INSERT INTO region (owner,id,parent_id,level,name,name_en) VALUES ('office','xinqu','luzhou','street','新区街道','Xinqu')"
w lucai "INSERT INTO care_class (owner,id,name,age_band,capacity) VALUES ('lucai','lc-sun','太阳班','1-2',12)"
w lucai "INSERT INTO child (owner,id,name,sex) VALUES ('lucai','lc-k1','王小明','m')"
w xiaoxiangwan "INSERT INTO care_class (owner,id,name,age_band,capacity) VALUES ('xiaoxiangwan','xx-moon','月亮班','2-3',20)"

out=$(h lucai push 2>&1)
is "$?" 0 "lucai push over ssh exits 0 ($out)"
is "$(git -C "$T/srv/lucai.git" rev-parse -q --verify refs/heads/up)" \
	"$(git -C "$T/lucai/repo.git" rev-parse -q --verify refs/heads/up)" "lucai's up is on the ssh server"
check "xiaoxiangwan sync over ssh" h xiaoxiangwan sync
out=$(h office sync 2>&1)
is "$?" 0 "office sync over ssh exits 0 ($out)"
like "$out" "merged 5 changes from 2 nodes" "the office merged both centres' changes"
check "the office's down for lucai is on the ssh server" \
	git -C "$T/srv/lucai.git" rev-parse -q --verify refs/heads/down
out=$(h lucai pull 2>&1)
is "$?" 0 "lucai pull over ssh exits 0 ($out)"
like "$out" "confirmed by the office 3" "the pull brought the office's confirmation of lucai's 3 changes"
is "$(hq lucai "SELECT name FROM region WHERE id = 'xinqu'")" "新区街道" "the office's region reached lucai over ssh"
w xiaoxiangwan "UPDATE care_class SET capacity = 22 WHERE id = 'xx-moon'"
SYNC_FAILED=0
sync_all xiaoxiangwan office lucai xiaoxiangwan office lucai xiaoxiangwan
is "$SYNC_FAILED" 0 "every later sync over ssh exits 0"
cmp_dump lucai
cmp_dump xiaoxiangwan
is "$(hq office "SELECT capacity FROM care_class WHERE id = 'xx-moon'")" 22 "the later update reached the office"

# the agent is the credential: without it the server refuses, and hearth says so in one line
env -u SSH_AUTH_SOCK "$HEARTH" -C "$T/lucai" push >"$T/out" 2>"$T/err"
is "$?" 3 "without the agent, push exits 3 (retry later)"
like "$(cat "$T/err")" "authentication failed" "the message says authentication failed and what to check"
is "$(wc -l <"$T/err")" 1 "on one line"

# a server whose host key is not the known one is refused before any credential is offered
ssh-keygen -q -t ed25519 -N '' -f "$S/other_key" -C other && cp "$HOME/.ssh/known_hosts" "$S/kh.good" &&
	echo "[127.0.0.1]:$SSH_PORT $(cut -d' ' -f1,2 "$S/other_key.pub")" >"$HOME/.ssh/known_hosts"
h lucai push >"$T/out" 2>"$T/err"
is "$?" 3 "an unknown host key: push exits 3"
like "$(cat "$T/err")" "hostkey" "the message names the host key"
like "$(cat "$T/err")" "known_hosts: verify it" "  and says what to do about it"
unlike "$(cat "$T/err")" "will retry" "  rather than promising a retry that cannot help"
cp "$S/kh.good" "$HOME/.ssh/known_hosts"
check "with the right host key again, push works" h lucai push
grep -q "Accepted publickey for $USER_NAME" "$S/sshd.log" && pass "sshd logged the key login" ||
	fail "sshd logged the key login" "$(tail -n 5 "$S/sshd.log")"
# on a failure, what sshd said is the first thing to read
if [ "$TAP_FAILED" -gt 0 ]; then
	sed 's/^/# sshd: /' "$S/sshd.log" | tail -n 40
	diag "sshd alive: $(kill -0 "$SSHD_PID" 2>/dev/null && echo yes || echo no); /run/sshd: $(ls -d /run/sshd 2>&1)"
fi
done_testing
