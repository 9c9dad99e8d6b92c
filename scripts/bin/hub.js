#!/usr/bin/env node
// The `hub` operator CLI. Its code is TypeScript under scripts/src, built by `npm run build`.
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('hub: not built yet; run `npm run build` (or `npm start`, which builds) first.');
  process.exit(1);
}
require(cli);
