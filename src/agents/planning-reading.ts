import { rm } from 'node:fs/promises';
import type { AgentCall } from '../engine/runners.js';
import { sandboxFor, type AgentDeps } from './agent-context.js';
import type { AgentTool } from './model-loop.js';
import { instructionsBlock, repositoryInstructions } from './repository-instructions.js';
import { logInstructions } from './run-log.js';
import { bashTool } from './tools/bash-tool.js';
import { textEditorTool } from './tools/text-editor-tool.js';
import { checkOutWorkingCopy } from './working-copy-session.js';

/** What the planning agent reads the repository with, and the instructions it found there. */
export interface PlanningReading {
  readonly tools: AgentTool[];
  /** The repository's and the team's instructions, for the system prompt ('' when none). */
  readonly instructions: string;
  /** Removes the working copy. */
  close(): Promise<void>;
}

const READ_ONLY =
  'the planning agent only reads the repository; the plan says what to change, and the development agent changes it once the plan is approved';

/**
 * A working copy of the repository for the planning agent, with read-only tools: the text
 * editor's `view` and a shell whose working copy is mounted read-only in the sandbox. The plan
 * then rests on what the repository holds, not on what the analysis guessed.
 */
export async function openPlanningReading(
  deps: AgentDeps,
  call: AgentCall,
  repository: string,
  ref: string | undefined,
): Promise<PlanningReading> {
  const { copy, workspace } = await checkOutWorkingCopy({
    actions: deps.actions,
    call,
    repository,
    ref,
    dataDir: deps.settings.dataDir,
  });
  const found = await repositoryInstructions(workspace);
  const team = await deps.channelSetting?.(call, 'instructions');
  await logInstructions(call, found, team);
  const status = (message: string) => call.progress(0.5, message);
  const { settings } = deps;
  return {
    tools: [
      textEditorTool({ workspace, readOnly: READ_ONLY, status }),
      bashTool({
        workspace,
        sandbox: sandboxFor(settings, call),
        toolPath: settings.toolPath,
        timeoutMs: settings.commandTimeoutMs ?? settings.testTimeoutMs,
        ...(settings.sandboxPolicy === undefined ? {} : { policy: settings.sandboxPolicy }),
        readOnly: true,
        signal: call.signal,
        logger: call.log,
        status,
      }),
    ],
    instructions: instructionsBlock(found, team),
    async close() {
      await rm(copy.directory, { recursive: true, force: true });
      await rm(copy.gitDir, { recursive: true, force: true });
    },
  };
}
