import { reviewRoundScript } from '../../scripts/demo-script.js';
import type { ScriptedReply } from '../vendors/anthropic/anthropic-server.js';

/**
 * A round for one note on a line of the merge request's diff (`label` in the round, F1) that
 * asks to refuse a negative quantity and to test it: the review round's two edits, then a
 * finish that answers the one note in its thread.
 */
export function noteRoundScript(label: string): ScriptedReply[] {
  const [code, test] = reviewRoundScript({ code: label, test: label });
  if (code === undefined || test === undefined) throw new Error('the review round changed');
  return [
    code,
    test,
    {
      content: [
        {
          type: 'tool_use',
          name: 'finish',
          input: {
            headline: 'Negative quantities are refused now, with a test.',
            comment:
              'orderTotal refuses a quantity that is negative or not a whole number with a RangeError, as it refuses a bad discount, and a test covers it.',
            commit_title: 'Refuse negative quantities',
            replies: [
              {
                to: label,
                body: 'Done: orderTotal throws a RangeError for a negative (or fractional) quantity, and "a negative quantity is refused" tests it.',
              },
            ],
          },
        },
      ],
    },
  ];
}
