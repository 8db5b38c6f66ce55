#!/usr/bin/env node
'use strict';
// The compiled CLI lives in dist/; build it with `npm run build` (tsc -b) after a source checkout.
let cli;
try {
  cli = require('../dist/cli/main.js');
} catch (error) {
  process.stderr.write(
    `tslab-widgets: cannot load ${require('path').join(__dirname, '..', 'dist', 'cli', 'main.js')} ` +
      `(${error.message}). Build the package first: npx tsc -b packages/tslab-widgets\n`,
  );
  process.exit(1);
}
cli.main(process.argv.slice(2)).then((code) => {
  if (code >= 0) process.exit(code);
});
