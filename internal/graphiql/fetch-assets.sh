#!/usr/bin/env bash
# Refreshes assets/ from the npm registry: the prebuilt UMD bundles GraphiQL
# needs, pinned below, with their licenses. Run from anywhere; needs npm.
# Bump a version here, run it, check the page (see graphiql_test.go), commit.
set -euo pipefail

GRAPHIQL=4.1.2                # the last release with a UMD bundle (5.x ships ESM only)
PLUGIN_EXPLORER=4.0.6         # the explorer plugin for graphiql 4 (bundles graphiql-explorer)
GRAPHIQL_EXPLORER=0.9.0       # only for its LICENSE: its code is inside the plugin's bundle
REACT=18.2.0                  # react 19 ships no UMD builds

here=$(cd "$(dirname "$0")" && pwd)
out=$here/assets
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
# npm pack checks each tarball against the registry's integrity hash.
npm pack --silent "graphiql@$GRAPHIQL" "@graphiql/plugin-explorer@$PLUGIN_EXPLORER" \
	"graphiql-explorer@$GRAPHIQL_EXPLORER" "react@$REACT" "react-dom@$REACT" >/dev/null
for f in *.tgz; do mkdir "${f%.tgz}" && tar -xzf "$f" -C "${f%.tgz}"; done

mkdir -p "$out/licenses"
cp "graphiql-$GRAPHIQL/package/graphiql.min.js" "graphiql-$GRAPHIQL/package/graphiql.min.css" "$out/"
cp "graphiql-plugin-explorer-$PLUGIN_EXPLORER/package/dist/index.umd.js" "$out/plugin-explorer.umd.js"
cp "graphiql-plugin-explorer-$PLUGIN_EXPLORER/package/dist/style.css" "$out/plugin-explorer.css"
cp "react-$REACT/package/umd/react.production.min.js" "$out/"
cp "react-dom-$REACT/package/umd/react-dom.production.min.js" "$out/"
# The plugin's tarball has no LICENSE of its own: it is MIT, from the same
# repository (graphql/graphiql) as graphiql, whose LICENSE covers it.
cp "graphiql-$GRAPHIQL/package/LICENSE" "$out/licenses/graphiql.LICENSE"
cp "graphiql-explorer-$GRAPHIQL_EXPLORER/package/LICENSE" "$out/licenses/graphiql-explorer.LICENSE"
cp "react-$REACT/package/LICENSE" "$out/licenses/react.LICENSE"
cp "react-dom-$REACT/package/LICENSE" "$out/licenses/react-dom.LICENSE"

cat >"$out/licenses/VERSIONS" <<VERSIONS
graphiql $GRAPHIQL (MIT): graphiql.min.js, graphiql.min.css
@graphiql/plugin-explorer $PLUGIN_EXPLORER (MIT, covered by graphiql.LICENSE): plugin-explorer.umd.js, plugin-explorer.css
graphiql-explorer $GRAPHIQL_EXPLORER (MIT): bundled inside plugin-explorer.umd.js
react $REACT (MIT): react.production.min.js
react-dom $REACT (MIT): react-dom.production.min.js
VERSIONS
echo "assets refreshed in $out"
