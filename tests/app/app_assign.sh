#!/bin/bash
# The volunteer station's task over real HTTP: a resident's call logged as a request in the app,
# assigned to a team chosen by its name and service type (the teams reach the station as a
# directory, schema v8), in one recorded write; after the syncs the team holds the request and
# its app lists it. Never a bare id in what the station reads; a viewer may not assign; an
# unknown team is refused with nothing written.
. "$(dirname "$0")/../integration/lib.sh" "$@"
. "$(dirname "$0")/lib_app.sh"

hh office init --node office --kind office --name Office
for n in gcd redwrench; do
	git init -q --bare "$T/$n.git"
done
new_node gcd volunteer_station "Guangchangdong station" "$T/gcd.git"
new_node redwrench volunteer_team "Red Wrench" "$T/redwrench.git"
w redwrench "INSERT INTO volunteer_team (owner, id, name, service_type_id, members)
	VALUES (hearth_node(), hearth_id(), '红扳手维修队', 'repair', 24)"
TID=$(hq redwrench "SELECT id FROM volunteer_team")
sync_all redwrench office gcd
is "$SYNC_FAILED" 0 "the team's row went through the office"
is "$(hq gcd "SELECT name FROM volunteer_team WHERE owner = 'redwrench'")" 红扳手维修队 \
	"the station holds the team"

printf 'staffpass1\n' | h gcd user add li --role staff
printf 'viewpass1\n' | h gcd user add wang --role viewer
printf 'teampass1\n' | h redwrench user add zhao --role volunteer
serve U gcd
J="$T/li.jar"
is "$(login "$U" "$J" li staffpass1)" 303 "the station's staff member signs in"
K=$(csrf "$U" "$J")

# ---- a resident calls: the call is logged as a request ----------------------------------------
is "$(code -b "$J" -d "csrf=$K&service_type_id=repair&requested_at=2026-12-01T09:00&resident_name=Resident&resident_phone=13800000000&details=lights-trip-$$" \
	"$U/t/service_request/new")" 303 "the call is logged in the app"
RID=$(hq gcd "SELECT id FROM service_request WHERE details = 'lights-trip-$$'")
isnt "$RID" "" "the request is in the station's database"

# ---- the request page: the team chosen by name ---------------------------------------------
P=$(curl -s -b "$J" "$U/t/service_request/view?id=$RID")
SEL=$(printf '%s' "$P" | tr '\n' ' ' | sed -n 's/.*<select id="f-team" name="team"[^>]*>\(.*\)<\/select>.*/\1/p')
like "$SEL" "value=\"redwrench/$TID\">红扳手维修队 · 维修服务</option>" \
	"the assign select lists the team by name and service type"
unlike "$(printf '%s' "$SEL" | sed 's/value="[^"]*"//g')" "$TID" "and never shows its id"
like "$(curl -s -b "$J" -b hearth_lang=en "$U/t/service_request/view?id=$RID")" \
	"红扳手维修队 · Repairs</option>" "in English the service type is English"
OUT=$(sq gcd "SELECT count(*) FROM hearth_outbox")

# ---- refusals first: nothing written ---------------------------------------------------------
VJ="$T/wang.jar"
is "$(login "$U" "$VJ" wang viewpass1)" 303 "a viewer signs in"
VK=$(csrf "$U" "$VJ")
is "$(code -b "$VJ" -d "csrf=$VK&id=$RID&team=redwrench/$TID" "$U/t/service_request/assign")" 403 \
	"a viewer may not assign"
is "$(code -b "$J" -d "csrf=$K&id=$RID&team=redwrench/nosuchteam" "$U/t/service_request/assign")" 422 \
	"a team the station does not hold is refused"
is "$(code -b "$J" -d "csrf=$K&id=$RID&team=redwrench" "$U/t/service_request/assign")" 422 \
	"so is a value that names no team"
is "$(sq gcd "SELECT count(*) FROM hearth_outbox")" "$OUT" "nothing was recorded"
is "$(hq gcd "SELECT quote(assignee) FROM service_request WHERE id = '$RID'")" NULL \
	"the request is still unassigned"

# ---- the assign: one recorded write ----------------------------------------------------------
is "$(code -b "$J" -d "csrf=$K&id=$RID&team=redwrench/$TID" "$U/t/service_request/assign")" 303 \
	"the staff member assigns the request to the team"
is "$(hq gcd "SELECT team_id || ' ' || assignee || ' ' || status FROM service_request WHERE id = '$RID'")" \
	"$TID redwrench new" "the request names the team and its node, and waits for it"
is "$(sq gcd "SELECT count(*) FROM hearth_outbox")" "$((OUT + 1))" "as one recorded write"
P=$(curl -s -b "$J" "$U/t/service_request/view?id=$RID")
like "$P" "红扳手维修队" "the request's page names the team"
unlike "$(printf '%s' "$P" | sed 's/value="[^"]*"//g; s/href="[^"]*"//g')" "$TID" \
	"and shows no id of it"

# ---- after the syncs the team has it ---------------------------------------------------------
kill "$U_PID" 2>/dev/null
wait "$U_PID" 2>/dev/null
sync_all gcd office redwrench
is "$SYNC_FAILED" 0 "the syncs after the assign exited 0"
is "$(hq redwrench "SELECT details FROM service_request WHERE id = '$RID'")" "lights-trip-$$" \
	"the team received the request"
serve V redwrench
TJ="$T/zhao.jar"
is "$(login "$V" "$TJ" zhao teampass1)" 303 "the team's volunteer signs in"
P=$(curl -s -b "$TJ" "$V/")
like "$P" "/t/service_request/view?id=$RID" "the team's today page lists the request"
like "$P" "维修服务" "by its service type"
done_testing
