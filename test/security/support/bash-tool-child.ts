import { bashTool } from '../../../src/agents/tools/bash-tool.js';
import { silentLogger } from '../../../src/log/create-logger.js';
import { Workspace } from '../../../src/sandbox/workspace.js';

/**
 * Runs one command through the bash tool in bubblewrap and prints the tool's answer as JSON: a
 * process started the way a supervisor might start aidev, with descriptors it did not open
 * (test/security/sandbox-bash-probes.test.ts gives it a pipe as fd 3).
 *
 * Usage: node --import tsx bash-tool-child.ts <working copy> <command>
 */
const [directory, command] = process.argv.slice(2);
if (directory === undefined || command === undefined)
  throw new Error('usage: bash-tool-child.ts <working copy> <command>');
const workspace = await Workspace.open(directory);
const tool = bashTool({
  workspace,
  sandbox: 'bubblewrap',
  logger: silentLogger(),
  timeoutMs: 30_000,
});
process.stdout.write(`${JSON.stringify(await tool.run({ command }))}\n`);
