#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# manpage.sh - docs/regtrace.1 against the program: mandoc -Tlint reports
# nothing above style; the options under OPTIONS are exactly those of
# regtrace --help (read from --help at run time, so a new option without
# an entry fails here); the exit statuses are those --help lists; every
# environment variable the sources read (getenv) is under ENVIRONMENT.
. "$(dirname "$0")/../lib/tap.sh"
[ -x "$RT_BIN" ] || skip_all "regtrace not built"
MAN=$RT_SRC/docs/regtrace.1
tmp=$(tmpdir)
trap 'rm -rf "$tmp"' EXIT
_tap_plan_late=1

# --help: a line "  -x, --long ARG   text" lists options; what comes before
# the first run of two spaces is the option part ("--json[=FILE]" -> --json).
"$RT_BIN" --help > "$tmp/help"
ok $? "regtrace --help exits 0"
awk '/^  -/ {
	spec = substr($0, 3); i = index(spec, "  "); if (i) spec = substr(spec, 1, i - 1)
	n = split(spec, w, /[ ,]+/)
	for (k = 1; k <= n; k++) if (w[k] ~ /^--?[A-Za-z0-9]/) { t = w[k]; sub(/[[=].*/, "", t); print t }
}' "$tmp/help" | sort -u > "$tmp/help.opts"
n=$(wc -l < "$tmp/help.opts")
[ "$n" -ge 10 ]; ok $? "--help lists options ($n found)"

# the man page: the .It lines of the OPTIONS section; "Fl x" prints -x,
# "Fl \-long" prints --long (mdoc(7)); nested lists there have no Fl.
sect() {  # sect NAME: the source lines of section NAME
	awk -v s="$1" '/^\.Sh /{ on = (substr($0, 5) == s); next } on' "$MAN"
}
sect OPTIONS | awk '/^\.It / {
	for (k = 2; k <= NF; k++) if ($k == "Fl" && k < NF) { t = $(k + 1); gsub(/\\-/, "-", t); gsub(/\\&/, "", t); print "-" t }
}' | sort -u > "$tmp/man.opts"
m=$(wc -l < "$tmp/man.opts")
[ "$m" -ge 10 ]; ok $? "the man page's OPTIONS has entries ($m options)"

for o in $(cat "$tmp/help.opts"); do
	grep -qxF -- "$o" "$tmp/man.opts"; ok $? "--help's $o has an entry in regtrace.1"
done
for o in $(cat "$tmp/man.opts"); do
	grep -qxF -- "$o" "$tmp/help.opts"; ok $? "regtrace.1's $o is in --help"
done

# exit statuses: the numbers of --help's "exit status:" text, against the
# .It entries of EXIT STATUS
sed -n '/^exit status:/,$p' "$tmp/help" | grep -oE '(^|[:,] *|^ +)[0-9]+ ' | grep -oE '[0-9]+' | sort -u > "$tmp/help.exit"
sect "EXIT STATUS" | sed -n 's/^\.It \([0-9][0-9]*\)$/\1/p' | sort -u > "$tmp/man.exit"
[ -s "$tmp/help.exit" ] && cmp -s "$tmp/help.exit" "$tmp/man.exit"
ok $? "EXIT STATUS lists the statuses of --help ($(echo $(cat "$tmp/help.exit")) / $(echo $(cat "$tmp/man.exit")))"

# environment: every getenv("NAME") of the sources
sect ENVIRONMENT | sed -n 's/^\.It Ev \([A-Za-z_][A-Za-z0-9_]*\)$/\1/p' > "$tmp/man.env"
for d in src ui dissectors; do
	[ -d "$RT_SRC/$d" ] && grep -rhoE 'getenv\("[A-Za-z_][A-Za-z0-9_]*"\)' "$RT_SRC/$d"
done | sed 's/getenv("\(.*\)")/\1/' | sort -u > "$tmp/src.env"
[ -s "$tmp/src.env" ]; ok $? "the sources read environment variables ($(wc -l < "$tmp/src.env"))"
for v in $(cat "$tmp/src.env"); do
	grep -qxF "$v" "$tmp/man.env"; ok $? "ENVIRONMENT documents $v"
done

# the sections the page promises
for s in NAME SYNOPSIS DESCRIPTION OPTIONS "JSON OUTPUT" TLS ENVIRONMENT FILES "EXIT STATUS" EXAMPLES "SEE ALSO"; do
	grep -qx "\.Sh $s" "$MAN"; ok $? "section $s"
done
for x in "tcpdump 8" "tshark 1" "sngrep 1" "pcap-filter 7"; do
	sect "SEE ALSO" | grep -q "^\.Xr $x\( ,\)\{0,1\}$"; ok $? "SEE ALSO $x"
done
# the README's usage examples, each as a .Dl line (prompt aside)
awk '/^```/{n++; next} n==3' "$RT_SRC/README.md" | sed 's/  *#.*//; s/ *$//' | grep '^regtrace\|| regtrace' > "$tmp/readme.ex"
[ -s "$tmp/readme.ex" ]; ok $? "the README has usage examples ($(wc -l < "$tmp/readme.ex"))"
sed -n 's/^\.Dl [$#] //p' "$MAN" | sed 's/\\&//g' > "$tmp/man.ex"
while IFS= read -r ex; do
	grep -qxF -- "$ex" "$tmp/man.ex"; ok $? "EXAMPLES has the README's '$ex'"
done < "$tmp/readme.ex"

# mandoc -Tlint: nothing above STYLE (a missing manual of SEE ALSO is a
# STYLE message and depends on the machine)
if command -v mandoc > /dev/null 2>&1; then
	mandoc -Tlint -Wwarning "$MAN" > "$tmp/lint" 2>&1
	rc=$?
	grep -E ': (WARNING|ERROR|UNSUPP|BADARG|SYSERR):' "$tmp/lint" > "$tmp/lint.bad"
	[ "$rc" -eq 0 ] && [ ! -s "$tmp/lint.bad" ]; ok $? "mandoc -Tlint -Wwarning: nothing (exit $rc)"
	[ -s "$tmp/lint.bad" ] && diag "$(cat "$tmp/lint.bad")"
	bs=$(printf '\b')
	mandoc -Tascii "$MAN" 2>&1 | sed "s/.$bs//g" > "$tmp/out"   # no overstrike
	for o in $(cat "$tmp/help.opts"); do
		grep -qF -- "$o" "$tmp/out" || echo "$o"
	done > "$tmp/missing"
	[ ! -s "$tmp/missing" ]; ok $? "the rendered page shows every option$(tr '\n' ' ' < "$tmp/missing" | sed 's/^./: missing &/')"
else
	skip "mandoc not installed (Debian package mandoc)"
	skip "mandoc not installed"
fi
tap_done
