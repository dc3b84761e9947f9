import { readFileSync, writeFileSync } from 'node:fs';
import { spliceReference } from '../src/config/config-reference.js';

// Regenerates the configuration reference in README.md from the configuration schemas.
const file = new URL('../README.md', import.meta.url);
writeFileSync(file, spliceReference(readFileSync(file, 'utf8')));
console.log('README.md: configuration reference updated');
