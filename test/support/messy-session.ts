import { MESSY } from './messy-repository.js';

/**
 * The messy model's script, for the local Anthropic and OpenAI servers alike (their scripted
 * replies both take text and tool_use blocks): it looks for a folder that is not there, reads a
 * directory as a file, reads a 2 MB file twice, gets the whitespace of an edit wrong, runs a
 * command with 5 MB of output and one that never ends, talks for a turn without a tool, wanders
 * for `wanderingTurns` turns — and then fixes the bug.
 */

export type MessyBlock =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'tool_use'; readonly name: string; readonly input: Record<string, unknown> };
export interface MessyReply {
  readonly content: readonly MessyBlock[];
}

export const EDITOR = 'str_replace_based_edit_tool';
export const WANDERING_TURNS = 48;

export const say = (text: string, name: string, input: Record<string, unknown>): MessyReply => ({
  content: [
    { type: 'text', text },
    { type: 'tool_use', name, input },
  ],
});
export const bash = (command: string) => say(`Running ${command}`, 'bash', { command });

/** The mistakes, turn by turn (turns 1 to 9): what the tests check the feedback of. */
export function messyStart(): MessyReply[] {
  return [
    say('Let me look at the library code.', EDITOR, { command: 'view', path: 'lib' }),
    bash('cat src'),
    say('The catalogue may matter.', EDITOR, { command: 'view', path: 'data/catalog.csv' }),
    say('Once more, the catalogue.', EDITOR, { command: 'view', path: 'data/catalog.csv' }),
    bash('grep -rn "quantityOf" --include=*.js .'),
    say('Fixing the total.', EDITOR, {
      command: 'str_replace',
      path: 'src/order.js',
      old_str: MESSY.bugWithSpaces,
      new_str: MESSY.fix.replace('\t', '    '),
    }),
    bash('yes "a line of output that goes on" | head -c 5000000'),
    bash('sleep 600'),
    { content: [{ type: 'text', text: 'I now understand how orders are totalled.' }] },
  ];
}

export function messyWandering(turns = WANDERING_TURNS): MessyReply[] {
  return Array.from({ length: turns }, (_, i) =>
    bash(`cat fixtures/case-${String(i * 61).padStart(4, '0')}.json`),
  );
}

/** The fix, the tests, and finish. */
export function messyEnd(): MessyReply[] {
  return [
    say('Fixing the total, with the file’s tabs.', EDITOR, {
      command: 'str_replace',
      path: 'src/order.js',
      old_str: MESSY.bug,
      new_str: MESSY.fix,
    }),
    bash('npm test'),
    say('Done.', 'finish', {
      pr_title: 'Count quantities in order totals',
      pr_description: 'orderTotal multiplies each line by its quantity.',
      documentation: 'Order totals count quantities.',
    }),
  ];
}

/** What the model does, turn by turn. */
export function messySession(): MessyReply[] {
  return [...messyStart(), ...messyWandering(), ...messyEnd()];
}

/** The summary the model writes when asked to summarize its conversation. */
export const MESSY_SUMMARY =
  'Task: orderTotal in src/order.js ignores quantities. quantityOf is in src/quantity.js. The file indents with tabs. Nothing changed yet; next: fix the reduce line and run npm test.';

/** Whether a request asks the model to summarize its conversation (it then calls no tool). */
export const asksForSummary = (body: Readonly<Record<string, unknown>>) =>
  JSON.stringify((body.messages as unknown[]).at(-1)).includes('will now be replaced by a summary');
