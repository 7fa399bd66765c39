#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# completion.sh - completion/regtrace in bash: source it, set COMP_WORDS and
# COMP_CWORD as bash does (with '=' a word of its own, as the default
# COMP_WORDBREAKS makes it), call _regtrace, compare COMPREPLY with what
# the options, docs/rules.md, the interfaces and a temp directory hold.
. "$(dirname "$0")/../lib/tap.sh"
[ -x "$RT_BIN" ] || skip_all "regtrace not built"
command -v bash > /dev/null 2>&1 || skip_all "bash not installed"
tmp=$(tmpdir)
trap 'rm -rf "$tmp"' EXIT
_tap_plan_late=1

# comp WORD...: the sorted COMPREPLY for the command line WORD... (the
# last word is the one under the cursor), one per line
comp() {
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _regtrace
		printf "%s\n" "${COMPREPLY[@]}"' comp "$RT_SRC/completion/regtrace" "$RT_BIN" "$@" | sed '/^$/d' | sort
}
lines() { printf '%s\n' "$@" | sort; }
# same GOT WANT DESC: both as sorted line lists
same() { if [ "$1" = "$2" ]; then pass "$3"; else fail "$3"; diag "got: $(echo $1)" "want: $(echo $2)"; fi; }

bash -c '. "$1"; complete -p regtrace' x "$RT_SRC/completion/regtrace" | grep -q -- '-F _regtrace regtrace$'
ok $? "sourcing it registers _regtrace for regtrace"

same "$(comp --j)" "$(lines --json --json-raw --jsonl)" "--j: the three JSON options"
same "$(comp --l)" "$(lines --ladder --list-rules)" "--l: --ladder --list-rules"
comp - > "$tmp/all"
for o in -r -i -c -w -N -h -V --hep-listen --messages --report --json --json-raw --jsonl --ladder \
	--tui --no-tui --fail-on --list-rules --credentials --rule-opt --profile --max-memory --help --version; do
	grep -qxF -- "$o" "$tmp/all" || echo "$o"
done > "$tmp/missing"
[ ! -s "$tmp/missing" ]; ok $? "-: every option of the CLI$(tr '\n' ' ' < "$tmp/missing" | sed 's/^./ (missing &)/')"
"$RT_BIN" --help > "$tmp/help"
while read -r o; do grep -qE -- "(^|[ ,])$o([] ,=[]|\$)" "$tmp/help" || echo "$o"; done < "$tmp/all" > "$tmp/extra"
[ ! -s "$tmp/extra" ]; ok $? "-: nothing that --help does not list"

# thresholds (values as --list-rules shows them: docs/rules.md names them)
same "$(comp --rule-opt refresh-l)" "$(lines refresh-late-min= refresh-late-ratio=)" \
	"--rule-opt refresh-l: both refresh-late thresholds, ready for a value"
same "$(comp --rule-opt nore)" "noretry-window=" "--rule-opt nore: noretry-window="
comp --rule-opt "" > "$tmp/thr"
for t in auth-loop-min= noretry-window= dup-window= storm-copies= flap-window= expired-gap-min=; do
	grep -qxF "$t" "$tmp/thr" || echo "$t"
done > "$tmp/missing"
[ ! -s "$tmp/missing" ] && ! grep -qv '=$' "$tmp/thr"; ok $? "--rule-opt: threshold names, each NAME="
same "$(comp --rule-opt noretry-window =)" "" "--rule-opt NAME=: no guess at the value"

# rule ids, as docs/rules.md lists them (### ID)
same "$(comp --finding REG-AUTH-L)" "REG-AUTH-LOOP" "--finding REG-AUTH-L: REG-AUTH-LOOP"
same "$(comp --finding REG-40)" "$(sed -n 's/^### \(REG-40[^ ]*\).*/\1/p' "$RT_SRC/docs/rules.md" | sort)" \
	"--finding REG-40: the REG-40x rules of docs/rules.md"

# interfaces: what ip(8) lists, and any
if command -v ip > /dev/null 2>&1; then
	same "$(comp -i '')" "$( (echo any; ip -o link show | awk -F': ' '{ sub(/@.*/, "", $2); print $2 }') | sort -u)" \
		"-i: the interfaces ip link lists, and any"
else
	skip "-i: ip (iproute2) not installed"
fi
same "$(comp -i an)" "any" "-i an: any"

# files: a directory of our own, one name with a space
mkdir "$tmp/d" && : > "$tmp/d/a.pcap" && : > "$tmp/d/ab.pcapng" && : > "$tmp/d/b.pcap" && : > "$tmp/d/a b.pcap"
same "$(comp -r "$tmp/d/a")" "$(lines "$tmp/d/a b.pcap" "$tmp/d/a.pcap" "$tmp/d/ab.pcapng")" "-r: files, a space kept in one name"
same "$(comp -w "$tmp/d/b")" "$tmp/d/b.pcap" "-w: files"
same "$(comp --credentials "$tmp/d/ab")" "$tmp/d/ab.pcapng" "--credentials: files"
same "$(comp --json = "$tmp/d/b")" "$tmp/d/b.pcap" "--json=: files"
same "$(comp --json "$tmp/d/b")" "" "--json FILE: not an argument of --json (the BPF expression), nothing"

# keywords
same "$(comp --fail-on '')" "$(lines failed expired any-finding)" "--fail-on: failed expired any-finding"
same "$(comp --fail-on = ex)" "expired" "--fail-on=ex (split at '='): expired"
same "$(comp --fail-on=a)" "--fail-on=any-finding" "--fail-on=a (one word): --fail-on=any-finding"
same "$(comp --profile g)" "gb28181" "--profile g: gb28181"
same "$(comp -c '')" "" "-c: nothing (a number)"
same "$(comp -r x.pcap por)" "" "the BPF expression: nothing"
tap_done
