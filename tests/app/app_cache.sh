#!/bin/bash
# The pages the server keeps until the data changes (app/cache.c) are never stale: after a
# write made in the app, a write made by another process (`hearth exec`) and a sync run by
# another process, the very next request shows it. Each page is asked for twice before the
# change, so that it is kept (and would be served again if the cache missed the change).
. "$(dirname "$0")/../integration/lib.sh" "$@"
. "$(dirname "$0")/lib_app.sh"

hh office init --node office --kind office --name Office >/dev/null
git init -q --bare "$T/lucai.git"
new_node lucai childcare_centre Lucai "$T/lucai.git" >/dev/null
printf 'staffpass1\n' | h lucai user add bob --role staff
serve U lucai
J="$T/bob.jar"
is "$(login "$U" "$J" bob staffpass1)" 303 "the staff member signs in"
K=$(csrf "$U" "$J")
page() { curl -s -b "$J" -b hearth_lang=en "$U$1"; }
twice() { page "$1" >/dev/null; page "$1"; }

# ---- a write made by another process ---------------------------------------------------------
unlike "$(twice /)" "exec-class-$$" "the today page is kept without the class"
unlike "$(twice /t/care_class)" "exec-class-$$" "and the list of classes"
w lucai "INSERT INTO care_class (owner, id, name, age_band, capacity)
	VALUES ('lucai', 'c1', 'exec-class-$$', '2-3', 25)"
like "$(page /)" "exec-class-$$" "a class written by another process is on the next today page"
like "$(page /t/care_class)" "exec-class-$$" "and in the next list"
like "$(twice "/t/care_class/view?id=c1")" "25" "the class's view is kept with 25 places"
w lucai "UPDATE care_class SET capacity = 31 WHERE owner = 'lucai' AND id = 'c1'"
like "$(page "/t/care_class/view?id=c1")" "31" "an edit by another process is on the next view"
unlike "$(page "/t/care_class/view?id=c1")" ">25<" "and the old value is gone"
like "$(page /)" "places 31" "and on the today page"

# ---- a write made in the app ----------------------------------------------------------------
unlike "$(twice /t/care_class)" "app-class-$$" "the list is kept without the new class"
is "$(code -b "$J" -d "csrf=$K&name=app-class-$$&age_band=1-2&capacity=12" \
	"$U/t/care_class/new")" 303 "a class is added in the app"
like "$(page /t/care_class)" "app-class-$$" "it is in the next list"
like "$(page /)" "app-class-$$" "and on the next today page"
is "$(code -b "$J" -d "csrf=$K&id=c1&capacity=30&next=/" "$U/t/care_class/edit")" 303 \
	"one place fewer, in one tap"
like "$(page /)" "places 30" "the next today page has the new number of places"

# ---- a sync run by another process ----------------------------------------------------------
P=$(twice /)
like "$P" "never synced" "before any sync the banner says so"
like "$P" "changes waiting to be sent" "with the changes waiting"
hh lucai sync || fail "the node syncs"
P=$(page /)
like "$P" "last sync just now" "after a sync by another process the next page says when"
unlike "$P" "never synced" "not the kept banner"
hh office sync || fail "the office syncs"
w office "INSERT INTO event (owner, id, kind, title, starts_at, public)
	VALUES ('office', 'e1', 'health_lecture', 'office-event-$$',
	strftime('%Y-%m-%dT10:00:00+08:00', 'now', '+1 day'), 1)"
hh office sync || fail "the office syncs its event"
unlike "$(twice /t/event)" "office-event-$$" "the node's list of events is kept without it"
hh lucai sync || fail "the node receives the office's event"
P=$(page /t/event)
like "$P" "office-event-$$" "an event received by a sync is in the next list"
like "$P" "0 changes waiting to be sent" "and its banner says the office confirmed every change"

# ---- what a kept page depends on besides the data -------------------------------------------
like "$(curl -s -b "$J" "$U/")" '<html lang="zh-CN">' "the kept page of one language is not the other's"
printf 'viewerpass1\n' | h lucai user add vera --role viewer
VJ="$T/vera.jar"
is "$(login "$U" "$VJ" vera viewerpass1)" 303 "a viewer signs in"
V=$(curl -s -b "$VJ" -b hearth_lang=en "$U/")
like "$V" ">vera<" "the viewer's today page names her"
unlike "$V" "One place fewer" "and has no buttons that write"
unlike "$V" "$K" "nor the staff member's form token"
done_testing
