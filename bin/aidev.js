#!/usr/bin/env node
// The package bin: runs the JavaScript that `npm run build` compiles into dist/ (`npm install`
// and `npm ci` build it). To run the TypeScript sources while developing: `npm run aidev -- …`.
import { existsSync } from 'node:fs';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const entry = new URL('../dist/src/bin/aidev.js', import.meta.url);
if (!existsSync(entry)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(
    `aidev: ${root} is not built yet: run \`npm run build\` there (npm install does it too)\n`,
  );
  process.exit(1);
}
await import(entry.href);
