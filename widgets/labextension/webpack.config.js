// Extra webpack settings @jupyterlab/builder merges into the extension build (package.json
// `jupyterlab.webpackConfig`). lib/index.js is already minified by esbuild (scripts/build.mjs);
// terser minifying the bundled plotly.js a second time took ~6 min on two shared cores.
module.exports = { optimization: { minimize: false } };
