#!/bin/bash
# A table's list over real HTTP (app/pages_list.c): 250 children in pages of 50, newest first,
# with links before and after that work; the search (a POST with the form token) finds a child
# by name and no other, treats % and _ as letters, shows hostile text escaped, is open to a
# viewer, and leaves no name in the server's log.
. "$(dirname "$0")/../integration/lib.sh" "$@"
. "$(dirname "$0")/lib_app.sh"

hh office init --node office --kind office --name Office >/dev/null
git init -q --bare "$T/lucai.git"
new_node lucai childcare_centre Lucai "$T/lucai.git" >/dev/null
printf 'staffpass1\n' | h lucai user add bob --role staff
printf 'viewerpass1\n' | h lucai user add vera --role viewer
# k001 ... k250 named child-001 ... child-250; one guardian named 王大明
hh lucai exec --yes "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 250)
	INSERT INTO child (owner, id, name, guardian_name) SELECT 'lucai', printf('k%03d', i),
	printf('child-%03d', i), CASE i WHEN 77 THEN '王大明' END FROM n" ||
	fail "250 children written"
w lucai "UPDATE child SET name = '李小明' WHERE owner = 'lucai' AND id = 'k123'"
is "$(hq lucai "SELECT count(*) FROM child")" 250 "the centre has 250 children"

serve U lucai
J="$T/bob.jar"
is "$(login "$U" "$J" bob staffpass1)" 303 "the staff member signs in"
K=$(csrf "$U" "$J")
page() { curl -s -b "$J" -b hearth_lang=en "$U$1"; }
names() { grep -o 'child-[0-9]*\|李小明' | sort | tr '\n' ' '; }
views() { grep -o '/t/child/view?id=[a-z0-9]*' | wc -l; }
search() { # search JAR FIELDS... (urlencoded with the jar's form token)
	local jar=$1
	shift
	curl -s -b "$jar" -b hearth_lang=en --data-urlencode "csrf=$(csrf "$U" "$jar")" \
		"$@" "$U/t/child/search"
}

# ---- pages -----------------------------------------------------------------------------------
P1=$(page /t/child)
is "$(printf '%s' "$P1" | views)" 50 "the list shows 50 children"
like "$P1" "child-250" "the newest first"
unlike "$P1" "child-200" "and not the 51st"
like "$P1" "Page 1 of 5" "it says which page of how many"
unlike "$P1" 'rel="prev"' "the first page has no page before it"
like "$P1" 'href="/t/child?page=2" rel="next"' "and a link to the next"
P3=$(page "/t/child?page=3")
is "$(printf '%s' "$P3" | views)" 50 "page 3 shows 50"
like "$P3" "child-150" "page 3 begins with the 101st newest"
like "$P3" "child-101" "and ends with the 150th"
unlike "$P3" "child-151" "not a child of page 2"
unlike "$P3" "child-100" "nor one of page 4"
like "$P3" "Page 3 of 5" "page 3 of 5"
prev=$(printf '%s' "$P3" | sed -n 's/.*href="\([^"]*\)" rel="prev".*/\1/p')
next=$(printf '%s' "$P3" | sed -n 's/.*href="\([^"]*\)" rel="next".*/\1/p')
is "$prev" "/t/child?page=2" "page 3 links to page 2"
is "$next" "/t/child?page=4" "and to page 4"
P4=$(page "$next")
like "$P4" "child-100" "the next link shows the next 50"
like "$P4" "Page 4 of 5" "as page 4"
P2=$(page "$prev")
like "$P2" "child-200" "the link before shows page 2"
like "$P2" "Page 2 of 5" "as page 2"
P5=$(page "/t/child?page=5")
like "$P5" "child-001" "the last page holds the oldest"
unlike "$P5" 'rel="next"' "and no link after it"
like "$(page "/t/child?page=99")" "Page 5 of 5" "a page past the end is the last"
like "$(page "/t/child?page=x")" "Page 1 of 5" "a page that is no number is the first"
like "$(curl -s -b "$J" "$U/t/child?page=2")" "第 2 页，共 5 页" "the pages in Chinese"

# ---- rows of another node (as a sync brings them to the office) come after the node's own --
sq lucai "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30)
	INSERT INTO child (owner, id, name) SELECT 'zzother', printf('a%03d', i),
	printf('other-%03d', i) FROM n; DELETE FROM child WHERE owner = 'lucai' AND id <= 'k010'"
P5=$(page "/t/child?page=5")
is "$(printf '%s' "$P5" | views)" 50 "240 of its own and 30 of another's: page 5 shows 50"
like "$P5" "child-011" "its oldest own rows"
like "$P5" "other-030" "then the other node's newest"
like "$P5" "other-021" "ten of them"
unlike "$P5" "other-020" "and no more"
P6=$(page "/t/child?page=6")
is "$(printf '%s' "$P6" | views)" 20 "page 6 shows the other 20"
like "$P6" "other-001" "down to the oldest"
like "$P6" "Page 6 of 6" "270 rows in 6 pages"
unlike "$P6" "child-" "no row of its own"
sq lucai "DELETE FROM child WHERE owner = 'zzother'"

# ---- search -------------------------------------------------------------------------------
S=$(search "$J" --data-urlencode "q=小明")
is "$(printf '%s' "$S" | names)" "李小明 " "the search finds the child by name and no other"
like "$S" "Found: 1" "it says how many it found"
like "$S" 'value="小明"' "the box keeps what was searched"
like "$(search "$J" --data-urlencode "q=大明")" "child-077" "a guardian's name finds the child"
S=$(search "$J" --data-urlencode "q=child-1")
is "$(printf '%s' "$S" | views)" 50 "a search of 99 children shows 50"
like "$S" "Page 1 of 2" "on 2 pages"
unlike "$S" 'href="/t/child?page=' "no link carries the search: its pages are posted again"
like "$S" '<input type="hidden" name="page" value="2">' "its next page is a form"
S2=$(search "$J" --data-urlencode "q=child-1" -d page=2)
like "$S2" "child-101" "the search's page 2 shows the rest"
unlike "$S2" "child-150" "and not page 1's"
S=$(search "$J" --data-urlencode "q=%")
like "$S" "Nothing found." "% is a letter, not a wildcard"
like "$(search "$J" --data-urlencode "q=_")" "Found: 0" "and so is _"
S=$(search "$J" --data-urlencode "q=<script>alert(1)</script>\"'")
unlike "$S" "<script>alert" "hostile text is not sent back as markup"
like "$S" 'value="&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;"' "it comes back escaped"
is "$(code -b "$J" --data-urlencode "q=小明" "$U/t/child/search")" 403 \
	"a search without the form token is refused"
is "$(code -b "$J" "$U/t/child/search")" 404 "a search is never a GET"
VJ="$T/vera.jar"
is "$(login "$U" "$VJ" vera viewerpass1)" 303 "a viewer signs in"
is "$(search "$VJ" --data-urlencode "q=小明" | names)" "李小明 " "a viewer may search"
is "$(code -b "$VJ" -d "csrf=$(csrf "$U" "$VJ")&name=x" "$U/t/child/new")" 403 \
	"and still may not write"
is "$(grep -c '小明\|大明\|script' "$T/serve-U.log")" 0 "no searched text is in the server's log"
like "$(cat "$T/serve-U.log")" "POST /t/child/search 200" "the log has the search's path"

done_testing
