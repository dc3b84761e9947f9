import { AGENT_NAMES } from '../agents/agent-names.js';
import { ActionCatalog } from '../plugins/action-catalog.js';
import type { CompileEnvironment } from './compile/compile-step.js';

/** What workflows are checked against: the standard actions and agents, prompts under `baseDir`. */
export function standardWorkflowEnvironment(baseDir: string): CompileEnvironment {
  return { actions: new ActionCatalog(), agents: AGENT_NAMES, baseDir };
}
