#!/usr/bin/env node
// The `keel` command. The engine is TypeScript run through tsx, so `npx keel` works right
// after `npm install` with no build step.
import { register } from 'tsx/esm/api';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

register();
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { main } = await import(join(root, 'engine/src/cli/main.ts'));
const code = await main(process.argv.slice(2));
// Leave stdout to drain; an explicit exit would cut piped output short.
process.exitCode = code;
