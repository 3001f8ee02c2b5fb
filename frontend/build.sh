#!/bin/sh
# Rebuild static/vendor/govuk-frontend-<version>/ from the pinned npm packages.
#
# The output is committed, so running the app never needs node; run this only
# after changing frontend/package.json or frontend/src/. `make frontend` calls it.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

# Must match "govuk-frontend" in package.json and the path used in templates/base.html.
VERSION=5.14.0
out="$here/../static/vendor/govuk-frontend-$VERSION"

# No install scripts and no optional packages: sass needs neither (they serve `sass --watch`).
npm ci --no-audit --no-fund --ignore-scripts --omit=optional

installed=$(node -p "require('govuk-frontend/package.json').version")
if [ "$installed" != "$VERSION" ]; then
    echo "build.sh: govuk-frontend $installed is installed but build.sh expects $VERSION;" >&2
    echo "update VERSION here, the folder in templates/base.html and docs/design-system.md." >&2
    exit 1
fi

rm -rf "$out"
mkdir -p "$out"

# --quiet-deps hides GOV.UK Frontend's own deprecation notices (it still uses
# @import and global functions, which Dart Sass 1.x accepts).
npx --no-install sass \
    --no-source-map \
    --style=compressed \
    --load-path=node_modules \
    --quiet-deps \
    --silence-deprecation=import \
    src/application.scss "$out/govuk-frontend.min.css"

# The ES module, unchanged, with its source map. No assets: the fonts (GDS Transport)
# and images (crown, crest, GOV.UK favicons) are reserved for GOV.UK and not shipped.
dist=node_modules/govuk-frontend/dist/govuk
cp "$dist/govuk-frontend.min.js" "$dist/govuk-frontend.min.js.map" "$out/"

cp vendor-README.md "$out/README.md"
cp vendor-LICENSE.txt "$out/LICENSE.txt"
echo "$VERSION" > "$out/VERSION"

# Guard against shipping anything restricted if a future version changes its styles.
if grep -q -e "GDS Transport" -e "@font-face" -e "govuk-crest" "$out/govuk-frontend.min.css"; then
    echo "build.sh: GOV.UK font or crest found in the compiled CSS" >&2
    exit 1
fi

echo "Built $(cd "$out" && pwd):"
ls -l "$out"
