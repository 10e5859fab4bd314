# Prints the CREATE FUNCTION, CREATE PROCEDURE and CREATE VIEW statements of
# the install script parts as CREATE OR REPLACE, for the upgrade script: they
# replace the previous version's objects in place (same OIDs, so triggers and
# views that users' registrations made keep pointing at them).  PostgreSQL
# refuses to replace an object that is not a member of the extension.
#
# Statements are split at ";" outside strings, quoted identifiers, comments
# and dollar quotes (any tag), as PostgreSQL reads them; a part that ends
# inside one of those fails the build rather than give a truncated replay.

function fail(msg) {
	printf "replay.awk: %s\n", msg > "/dev/stderr"
	failed = 1
	exit 1
}

# The statement without the comments and blank space before it.
function strip_leading(s,    e) {
	for (;;) {
		if (match(s, /^[ \t\r\n]+/))
			s = substr(s, RLENGTH + 1)
		else if (substr(s, 1, 2) == "--") {
			e = index(s, "\n")
			s = e ? substr(s, e + 1) : ""
		} else if (substr(s, 1, 2) == "/*") {
			e = index(s, "*/")
			s = substr(s, e + 2)
		} else
			return s
	}
}

function flush(    s) {
	s = strip_leading(stmt)
	stmt = ""
	if (match(s, /^[Cc][Rr][Ee][Aa][Tt][Ee][ \t\r\n]+([Oo][Rr][ \t\r\n]+[Rr][Ee][Pp][Ll][Aa][Cc][Ee][ \t\r\n]+)?([Ff][Uu][Nn][Cc][Tt][Ii][Oo][Nn]|[Pp][Rr][Oo][Cc][Ee][Dd][Uu][Rr][Ee]|[Vv][Ii][Ee][Ww])[ \t\r\n]/)) {
		sub(/^[Cc][Rr][Ee][Aa][Tt][Ee][ \t\r\n]+([Oo][Rr][ \t\r\n]+[Rr][Ee][Pp][Ll][Aa][Cc][Ee][ \t\r\n]+)?/, "CREATE OR REPLACE ", s)
		print s ";"
		print ""
	}
}

FNR == 1 {
	if (NR > 1 && (quote != "" || state != "" || strip_leading(stmt) != ""))
		fail(prev_file " ends inside a statement")
	prev_file = FILENAME
}

/^\\/ && state == "" && quote == "" { next }	# psql meta-command (\echo ... \quit)

{
	line = $0 "\n"
	while (line != "") {
		if (quote != "") {
			e = index(line, quote)
			if (!e) { stmt = stmt line; line = ""; continue }
			stmt = stmt substr(line, 1, e + length(quote) - 1)
			line = substr(line, e + length(quote))
			quote = ""
		} else if (state == "comment") {
			e = index(line, "*/")
			if (!e) { stmt = stmt line; line = ""; continue }
			stmt = stmt substr(line, 1, e + 1)
			line = substr(line, e + 2)
			state = ""
		} else if (state != "") {
			# A string or quoted identifier, up to its closing quote: '' (or
			# "") is a quote inside it, and so is \' in an E'' string.
			if (state == "'")
				match(line, /^([^']|'')*/)
			else if (state == "E'")
				match(line, /^([^'\\]|\\.|'')*/)
			else
				match(line, /^([^"]|"")*/)
			stmt = stmt substr(line, 1, RLENGTH); line = substr(line, RLENGTH + 1)
			if (line != "") {
				stmt = stmt substr(line, 1, 1); line = substr(line, 2); state = ""
			}
		} else if (match(line, /^[A-Za-z_][A-Za-z_0-9$]*/)) {
			# A whole word, so that only a lone E before a quote starts E''.
			word = substr(line, 1, RLENGTH)
			stmt = stmt word; line = substr(line, RLENGTH + 1)
			if ((word == "E" || word == "e") && substr(line, 1, 1) == "'") {
				stmt = stmt "'"; line = substr(line, 2); state = "E'"
			}
		} else if (match(line, /^[^-\/'"$;A-Za-z_]+/)) {
			stmt = stmt substr(line, 1, RLENGTH); line = substr(line, RLENGTH + 1)
		} else if (substr(line, 1, 2) == "--") {
			stmt = stmt line; line = ""
		} else if (substr(line, 1, 2) == "/*") {
			stmt = stmt "/*"; line = substr(line, 3); state = "comment"
		} else if (substr(line, 1, 1) == "'" || substr(line, 1, 1) == "\"") {
			state = substr(line, 1, 1); stmt = stmt state; line = substr(line, 2)
		} else if (match(line, /^\$([A-Za-z_][A-Za-z_0-9]*)?\$/)) {
			quote = substr(line, 1, RLENGTH)
			stmt = stmt quote; line = substr(line, RLENGTH + 1)
		} else if (substr(line, 1, 1) == ";") {
			line = substr(line, 2)
			flush()
		} else {
			stmt = stmt substr(line, 1, 1); line = substr(line, 2)
		}
	}
}

END {
	if (!failed && (quote != "" || state != "" || strip_leading(stmt) != ""))
		fail(FILENAME " ends inside a statement")
}
