/**
 * Builds the test JupyterLab application into OUTPUT_DIR (through OUTPUT_DIR.partial, renamed when
 * complete, so an interrupted build never looks finished): settings schemas and themes of the bundled
 * extension packages (@jupyterlab/builder's Build.ensureAssets), then one webpack run for the
 * application and its theme. Prints the wall time and the peak memory (max RSS) of this process.
 *
 *   node test/browser/support/jupyterlab-app/build.js OUTPUT_DIR
 */
const fs = require('node:fs');
const path = require('node:path');
const webpack = require('webpack');
const { Build } = require('@jupyterlab/builder');
const app = require('./package.json');
const makeConfig = require('./webpack.config');

if (!process.argv[2]) {
  console.error('usage: node build.js OUTPUT_DIR');
  process.exit(2);
}
const finalOutput = path.resolve(process.argv[2]);
const output = `${finalOutput}.partial`;
fs.rmSync(output, { recursive: true, force: true });

const started = Date.now();
const themeConfigs = Build.ensureAssets({
  packageNames: app.jupyterlab.extensions,
  output,
  schemaOutput: output,
  themeOutput: output,
});

webpack([makeConfig({ output }), ...themeConfigs], (error, stats) => {
  if (error || stats.hasErrors()) {
    console.error(error ?? stats.toString({ all: false, errors: true, errorDetails: true }));
    process.exit(1);
  }
  fs.rmSync(finalOutput, { recursive: true, force: true });
  fs.renameSync(output, finalOutput);
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const peakMiB = (process.resourceUsage().maxRSS / 1024).toFixed(0);
  console.log(
    `JupyterLab test application built in ${seconds} s, peak RSS ${peakMiB} MiB → ${finalOutput}`,
  );
});
