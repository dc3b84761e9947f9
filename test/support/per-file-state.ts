import { afterAll } from 'vitest';
import { processSecrets } from '../../src/log/scrub-secrets.js';

/*
 * Run before each test file (vitest's setupFiles). With isolate: false a worker keeps its
 * loaded modules from one file to the next, and with them process-wide state: what one file
 * made a secret (a short OTLP header value, say) would be scrubbed out of the next file's log
 * lines and messages, failing it only when the two happen to share a worker.
 */
afterAll(() => {
  processSecrets.clear();
});
