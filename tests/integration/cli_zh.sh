#!/bin/bash
# The command line speaks the user's language: each error path a centre meets (bad usage, an
# unknown command, a refused value at exec and at import, a sync to a remote that is not there,
# status, conflicts, report) run under LANG=zh_CN.UTF-8 (and LC_ALL) says it in Chinese with the
# same exit code, and the same run under C.UTF-8 says it in English.
. "$(dirname "$0")/lib.sh" "$@"

# run LANG NODE ARGS...: hearth in that language; RC, OUT and ERR hold what it did
run() {
	local lang=$1 node=$2
	shift 2
	LANG=$lang LC_ALL=$lang "$HEARTH" -C "$T/$node" "$@" >"$T/out" 2>"$T/err"
	RC=$?
	OUT=$(cat "$T/out")
	ERR=$(cat "$T/err")
}

# both NODE WANT_RC ZH_TEXT EN_TEXT DESC ARGS...: the same command in Chinese and in English
# (the text looked for in stdout and stderr together)
both() {
	local node=$1 rc=$2 zh=$3 en=$4 desc=$5
	shift 5
	run zh_CN.UTF-8 "$node" "$@"
	is "$RC" "$rc" "$desc: exit code $rc in Chinese"
	like "$OUT$ERR" "$zh" "$desc: in Chinese"
	unlike "$OUT$ERR" "$en" "$desc: no English left in the Chinese text"
	run C.UTF-8 "$node" "$@"
	is "$RC" "$rc" "$desc: exit code $rc in English"
	like "$OUT$ERR" "$en" "$desc: in English"
}

hh lucai init --node lucai --kind childcare_centre --name 潞才 || fail "lucai init"
w lucai "INSERT INTO care_class (owner, id, name, age_band, capacity) VALUES ('lucai','c1','托大一班','2-3',25)"

both lucai 2 "hearth exec：请把 SQL 作为一个参数给出（用法：hearth [-C 目录] exec" \
	"hearth exec: give the SQL as one argument (usage: hearth [-C DIR] exec" \
	"bad usage" exec
both lucai 2 "hearth：没有「frob」这个命令（见「hearth help」）" \
	"hearth: unknown command 'frob' (see 'hearth help')" "unknown command" frob
both lucai 2 "hearth：没有「--frob」这个选项" "hearth: unknown option '--frob'" \
	"unknown global option" --frob
both lucai 2 "hearth status：没有「--frob」这个选项" "hearth status: unknown option '--frob'" \
	"unknown option of a command" status --frob
both lucai 0 "用法：hearth [-C 目录] 命令 [参数]" "usage: hearth [-C DIR] COMMAND [ARGS]" \
	"help" help
like "$OUT" "read-only query" "help: each command's summary in English"
run zh_CN.UTF-8 lucai help
like "$OUT" "只读查询" "help: each command's summary in Chinese"

# a refused value at exec: the column's label, what is expected, nothing written
both lucai 1 "「容量」：应为 0–200 的整数" '"capacity": expected a whole number from 0 to 200' \
	"refused value at exec" exec "UPDATE care_class SET capacity = '二十' WHERE id = 'c1'"
like "$ERR" "nothing was written" "refused value at exec: says nothing was written"
run zh_CN.UTF-8 lucai exec "UPDATE care_class SET capacity = '二十' WHERE id = 'c1'"
like "$ERR" "未写入任何数据" "refused value at exec: 未写入任何数据"
is "$(hq lucai "SELECT capacity FROM care_class WHERE id = 'c1'")" 25 "nothing was written"

# a bad CSV at import: refused, nothing imported, the error line in the user's language
printf 'owner,id,name,age_band,capacity\nlucai,c2,托小班,1-2,二十\n' >"$T/bad.csv"
run zh_CN.UTF-8 lucai import care_class "$T/bad.csv"
is "$RC" 1 "bad CSV at import: exit code 1 in Chinese (a refused value)"
like "$ERR" "第 2 行「容量」：应为 0–200 的整数，收到「二十」" "bad CSV at import: the cell in Chinese"
like "$ERR" "未导入任何行" "bad CSV at import: 未导入任何行"
run C.UTF-8 lucai import care_class "$T/bad.csv"
is "$RC" 1 "bad CSV at import: exit code 1 in English"
like "$ERR" 'line 2, "capacity": expected a whole number from 0 to 200, got "二十"' \
	"bad CSV at import: in English"
like "$ERR" "nothing imported" "bad CSV at import: nothing imported"
is "$(hq lucai "SELECT count(*) FROM care_class")" 1 "bad CSV: nothing imported"
both lucai 2 "hearth：无法打开「$T/none.csv」" "hearth: cannot open '$T/none.csv'" \
	"a CSV file that is not there" import care_class "$T/none.csv"

# sync with a remote whose folder is not there (a USB stick not plugged in): skipped by a sync
# of every remote, refused when named, said in Chinese
hh lucai remote add office "$T/nothere.git" || fail "remote add"
both lucai 0 "U 盘未插入，已跳过" "USB stick not inserted: skipped" "sync with the stick out" sync
both lucai 1 "远程「office」：文件夹 $T/nothere.git 不存在" \
	"remote 'office': the folder $T/nothere.git is not there" "sync the missing remote by name" \
	sync office
run zh_CN.UTF-8 lucai sync
like "$OUT" "sync: 上行 0，下行 0，办公室已确认 0，仍待发送 2：没有丢失任何数据" \
	"sync: the outcome line in Chinese"
both lucai 2 "最多只能指定一个远程" "at most one remote" "sync with two remotes" sync a b
both nowhere 1 "中没有 hearth 节点：请在那里运行「hearth init」" \
	"no hearth node in '$T/nowhere': run 'hearth init' there" "no node in the folder" status

# status: the node, what is pending, the remote's last error
both lucai 0 "待发送：2 个变更尚未推送，0 个已推送、等待办公室处理" \
	"pending: 2 change(s) not yet pushed, 0 pushed and waiting for the office" "status" status
run zh_CN.UTF-8 lucai status
like "$OUT" "上次同步 从未" "status: never synced, in Chinese"

# conflicts: usage errors and the office's refusal
both lucai 2 "hearth conflicts：「x」不是冲突编号" "hearth conflicts: 'x' is not a conflict id" \
	"conflicts show with a bad id" conflicts show x
both lucai 2 "没有「frob」这个子命令" "unknown subcommand 'frob'" "conflicts frob" conflicts frob
both lucai 2 "冲突由办公室处理" "conflicts are resolved at the office" \
	"conflicts resolve at a node" conflicts resolve 1

# report: headings and lines
both lucai 0 "## 尚未到达办公室的变更" "## Changes not yet at the office" "report heading" report
run zh_CN.UTF-8 lucai report
like "$OUT" "| 远程 | 上次同步 | 距今 | 上次出错 |" "report: the sync table's headings in Chinese"
both lucai 2 "hearth report：多余的参数「x」" "hearth report: unexpected argument 'x'" \
	"report with an argument" report x

# purge at a node, undo of a change that is not there: library errors in Chinese
both lucai 1 "清理只能在办公室运行" "purge runs at the office only" "purge at a node" purge
both lucai 2 "不是变更编号" "names no change" "undo of a bad change" undo nosuch
done_testing
