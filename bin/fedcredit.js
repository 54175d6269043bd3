#!/usr/bin/env node
// Entry point of the `fedcredit` command: runs the compiled CLI (built by `npm run build`,
// which `npm install` runs through the `prepare` script).
import('../dist/cli/main.js').catch((err) => {
  if (err && err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli/main.js')) {
    console.error('fedcredit: the CLI is not built yet; run `npm run build` (npm install does it).');
    process.exit(1);
  }
  throw err;
});
