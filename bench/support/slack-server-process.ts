/**
 * The local Slack server in a process of its own, so that its request validation does not
 * share the benchmark's CPU (real Slack is somewhere else too). Prints its URL, then serves.
 */
import { startSlackServer } from '../../test/vendors/slack/slack-server.js';

const server = await startSlackServer({ botToken: process.argv[2] ?? '' });
process.stdout.write(`${JSON.stringify({ url: server.url, apiUrl: server.apiUrl })}\n`);
process.on('SIGTERM', () => {
  void server.close().then(() => process.exit(0));
});
