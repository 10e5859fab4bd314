# Prints the CREATE FUNCTION, CREATE PROCEDURE and CREATE VIEW statements of
# the install script parts as CREATE OR REPLACE, for the upgrade script: they
# replace the previous version's objects in place (same OIDs, so triggers and
# views that users' registrations made keep pointing at them).  PostgreSQL
# refuses to replace an object that is not a member of the extension.
#
# Statements end at a line ending in ";" outside any dollar quote.

function scan(line,    rest, tag) {
	rest = line
	while (match(rest, /\$[A-Za-z_]*\$/)) {
		tag = substr(rest, RSTART, RLENGTH)
		if (quote == "")
			quote = tag
		else if (quote == tag)
			quote = ""
		rest = substr(rest, RSTART + RLENGTH)
	}
}

!copying && /^CREATE (FUNCTION|PROCEDURE|VIEW) / {
	copying = 1
	quote = ""
	sub(/^CREATE /, "CREATE OR REPLACE ")
}

copying {
	print
	scan($0)
	if (quote == "" && $0 ~ /;[ \t]*(--.*)?$/) {
		copying = 0
		print ""
	}
}
