#!/usr/bin/env bash
# Keeps the documentation navigable:
#   - every relative link in README.md and docs/*.md resolves to an existing
#     file or folder (relative to the linking file), and a #fragment names a
#     heading of the target markdown file (GitHub's anchor rules);
#   - README.md stays a doorway: under 260 lines;
#   - when the server is built (BIN_DIR, default build/release), every flag
#     `tracktry-server --help` prints appears in docs/configuration.md.
# Then breaks copies of the docs on purpose (a link to a missing file, a
# missing anchor, a README of 300 lines) and checks that each is reported.

set -euo pipefail
cd "$(dirname "$0")/../.."
REPO="$(pwd -P)"
BIN_DIR="${BIN_DIR:-build/release}"
MAX_README_LINES=260

# The anchors of a markdown file, one per line: its headings, lower-cased,
# inline code marks and punctuation removed, spaces turned into hyphens.
anchors_of() {
  awk '/^```/{code=!code; next} !code && /^#+ /' "$1" |
    sed -E 's/^#+ +//; s/`//g' | tr 'A-Z' 'a-z' |
    sed -E 's/[^a-z0-9 _-]//g; s/ /-/g'
}

# The links of a markdown file, one target per line: inline links
# [text](target) outside fenced code blocks and code spans.
links_of() {
  awk '/^```/{code=!code; next} !code' "$1" | sed -E 's/`[^`]*`//g' |
    grep -oE '\]\([^) ]+\)' | sed -E 's/^\]\(//; s/\)$//' || true
}

# Checks the docs under ROOT; prints one line per problem, fails on any.
check_docs() {
  local root problems=0 links=0 file target path fragment dir resolved
  root="$(realpath "$1")"
  local files=("$root/README.md" "$root"/docs/*.md)
  for file in "${files[@]}"; do
    dir="$(dirname "$file")"
    while IFS= read -r target; do
      [[ -z "$target" ]] && continue
      case "$target" in
        http://* | https://* | mailto:*) continue ;;
      esac
      links=$((links + 1))
      path="${target%%#*}"
      fragment=""
      [[ "$target" == *"#"* ]] && fragment="${target#*#}"
      if [[ -z "$path" ]]; then
        resolved="$file"
      else
        resolved="$(realpath -m "$dir/$path")"
      fi
      if [[ ! -e "$resolved" ]]; then
        echo "${file#"$root"/}: broken link ($target): no such file"
        problems=$((problems + 1))
        continue
      fi
      if [[ -n "$fragment" && "$resolved" == *.md ]] &&
          ! anchors_of "$resolved" | grep -qxF -- "$fragment"; then
        echo "${file#"$root"/}: broken link ($target): no heading #$fragment"
        problems=$((problems + 1))
      fi
    done < <(links_of "$file")
  done
  local lines
  lines="$(wc -l < "$root/README.md")"
  if ((lines >= MAX_README_LINES)); then
    echo "README.md: ${lines} lines, must stay under ${MAX_README_LINES} (move manuals to docs/)"
    problems=$((problems + 1))
  fi
  if ((links < 20)); then
    echo "only ${links} relative links found: the link parser is broken"
    problems=$((problems + 1))
  fi
  echo "checked ${links} relative links in ${#files[@]} files; README.md ${lines} lines"
  ((problems == 0))
}

echo "--- docs of the repository"
check_docs "$REPO"

echo "--- every tracktry-server flag is in docs/configuration.md"
server="$BIN_DIR/service/server/tracktry-server"
if [[ -x "$server" ]]; then
  missing=0
  flags="$("$server" --help | grep -oE '^  --[a-z0-9-]+' | sed 's/^  //')"
  for flag in $flags; do
    if ! grep -qF -- "$flag" docs/configuration.md; then
      echo "docs/configuration.md lacks $flag (regenerate its --help reference)"
      missing=$((missing + 1))
    fi
  done
  (($(wc -w <<< "$flags") > 30)) || { echo "too few flags parsed from --help"; exit 1; }
  ((missing == 0)) || exit 1
  echo "all $(wc -w <<< "$flags") flags documented"
else
  echo "skipped: $server not built"
fi

echo "--- the checks fail on broken docs"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# A copy of README.md and docs/ next to links to everything else.
make_copy() {
  rm -rf "$work/copy" && mkdir "$work/copy"
  local entry
  for entry in "$REPO"/* "$REPO"/.[!.]*; do
    [[ -e "$entry" ]] || continue
    case "$(basename "$entry")" in
      README.md | docs | .git) ;;
      *) ln -s "$entry" "$work/copy/$(basename "$entry")" ;;
    esac
  done
  cp "$REPO/README.md" "$work/copy/README.md"
  cp -r "$REPO/docs" "$work/copy/docs"
}
expect_failure() {
  local what="$1" expected="$2" output
  if output="$(check_docs "$work/copy" 2>&1)"; then
    echo "FAIL: ${what} was not reported"
    exit 1
  fi
  if ! grep -qF -- "$expected" <<< "$output"; then
    echo "FAIL: ${what}: expected \"${expected}\" in:"
    echo "$output"
    exit 1
  fi
  echo "ok: ${what} is reported"
}

make_copy
check_docs "$work/copy" > /dev/null || { echo "FAIL: the unbroken copy fails"; exit 1; }
sed -i 's|(docs/api.md)|(docs/no-such-page.md)|' "$work/copy/README.md"
expect_failure "a link to a missing file" "broken link (docs/no-such-page.md)"

make_copy
sed -i 's|(errors.md#5-reading-the-details)|(errors.md#5-reading-the-detail)|' \
  "$work/copy/docs/client.md"
expect_failure "a link to a missing heading" "no heading #5-reading-the-detail"

make_copy
for _ in $(seq 300); do echo >> "$work/copy/README.md"; done
expect_failure "a README of 300+ lines" "must stay under ${MAX_README_LINES}"

echo "PASS"
