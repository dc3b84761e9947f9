/**
 * The agents an `ai_action` step may name. `development` is the default: it analyses code,
 * plans and implements; `planning` turns requirements into epics and tasks.
 */
export const AGENT_NAMES = ['development', 'planning'] as const;
export type AgentName = (typeof AGENT_NAMES)[number];
