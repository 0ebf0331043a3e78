#!/usr/bin/env bash
# After the test suite: no full test card number and no CVC may appear in any database file or
# log the tests left behind. Usage: scripts/scan-card-data.sh DIR... (exit 1 on a find).
set -euo pipefail
numbers=(4242424242424242 5555555555554444 4000000000000002 4000000000009995 4000000000000069
         4000000000000119 4000002760003184 5105105105105100)
pattern=""
for n in "${numbers[@]}"; do
  spaced="${n:0:4}[ -]?${n:4:4}[ -]?${n:8:4}[ -]?${n:12:4}"
  pattern="${pattern:+$pattern|}$spaced"
done
# A CVC next to its name, as a form field, a JSON member or a log field would carry it.
pattern="$pattern|\\bcvc[\"']?[[:space:]]*[:=][[:space:]]*[\"']?[0-9]{3,4}\\b"
files=0
found=0
for dir in "$@"; do
  [ -d "$dir" ] || continue
  while IFS= read -r -d '' file; do
    files=$((files + 1))
    if grep -a -i -q -E "$pattern" "$file"; then
      echo "card data found in $file:" >&2
      echo "  $(grep -a -i -c -E "$pattern" "$file") matching lines" >&2
      found=$((found + 1))
    fi
  done < <(find "$dir" -type f \( -name '*.db' -o -name '*.db-wal' -o -name '*.db-journal' -o -name '*.sqlite*' \
             -o -name '*.log' -o -name '*.json' -o -name '*.txt' \) -print0)
done
echo "card-data scan: $files database and log files checked, $found with card data"
[ "$found" -eq 0 ]
