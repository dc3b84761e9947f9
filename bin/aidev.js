#!/usr/bin/env node
// The package bin: runs the TypeScript sources directly (tsx), so `npx aidev` needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/bin/aidev.ts');
