#!/usr/bin/env node
'use strict';
// The compiled CLI lives in dist/; build it with `npm run build -w @rlrp/widgets`.
let cli;
try {
  cli = require('../dist/cli.js');
} catch (error) {
  process.stderr.write(
    `rlrp-widgets: cannot load dist/cli.js (${error.message}). Build first: npm run build -w @rlrp/widgets\n`,
  );
  process.exit(1);
}
process.exit(cli.main(process.argv.slice(2)));
