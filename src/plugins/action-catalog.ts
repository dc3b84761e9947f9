import type { ActionSignature } from './action-signature.js';
import { communicationActions } from './interfaces/communication.js';
import { documentationActions } from './interfaces/documentation.js';
import { taskManagementActions } from './interfaces/task-management.js';
import { versionControlActions } from './interfaces/version-control.js';

/** Every action a workflow step may name, by plugin type. */
export const STANDARD_ACTIONS: readonly ActionSignature[] = [
  ...taskManagementActions,
  ...versionControlActions,
  ...documentationActions,
  ...communicationActions,
] as readonly ActionSignature[];

/** Looks signatures up by plugin type and action name. */
export class ActionCatalog {
  private readonly byKey = new Map<string, ActionSignature>();

  constructor(signatures: readonly ActionSignature[] = STANDARD_ACTIONS) {
    for (const signature of signatures)
      this.byKey.set(`${signature.plugin}.${signature.action}`, signature);
  }

  get(plugin: string, action: string): ActionSignature | undefined {
    return this.byKey.get(`${plugin}.${action}`);
  }

  plugins(): string[] {
    return [...new Set([...this.byKey.values()].map((s) => s.plugin))];
  }

  actions(plugin: string): string[] {
    return [...this.byKey.values()].filter((s) => s.plugin === plugin).map((s) => s.action);
  }
}
