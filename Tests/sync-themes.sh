#!/usr/bin/env bash
# Regenerates Sources/PaperUI/Theme/BundledThemes.swift from themes/*.yaml (the source of truth).
set -euo pipefail
cd "$(dirname "$0")/.."
out=Sources/PaperUI/Theme/BundledThemes.swift
order=(default light solarized-dark high-contrast monochrome)
for f in themes/*.yaml; do n=$(basename "$f" .yaml); [[ " ${order[*]} " == *" $n "* ]] || order+=("$n"); done
{
  echo '// Generated from themes/*.yaml by Tests/sync-themes.sh; ThemeTests keeps the two in step.'
  echo '// Do not edit by hand: edit themes/NAME.yaml and run `bash Tests/sync-themes.sh`.'
  echo
  echo '/// The bundled themes, compiled in so they work from any directory and from an installed binary.'
  echo 'enum BundledThemes {'
  printf '    static let order = ['; first=1; for n in "${order[@]}"; do [ $first = 1 ] || printf ', '; printf '"%s"' "$n"; first=0; done; echo ']'
  echo
  echo '    static let files: [String: String] = ['
  for n in "${order[@]}"; do
    echo "        \"$n\": #\"\"\""
    sed -e 's/^\(.\)/            \1/' "themes/$n.yaml"
    echo '            """#,'
  done
  echo '    ]'
  echo '}'
} > "$out"
echo "wrote $out"
