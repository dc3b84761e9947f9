import type { ScriptedReply } from '../test/vendors/anthropic/anthropic-server.js';

/**
 * The answers of the demo's transcript, in the order the demo asks: one plan, then the
 * development conversation (see the tests fail, fix the line, see them pass, finish).
 */
export const DEMO_SCRIPT: readonly ScriptedReply[] = [
  {
    content: [
      {
        type: 'tool_use',
        name: 'submit_plan',
        input: {
          summary:
            'orderTotal adds up unit prices and ignores quantities. Multiply each line’s unit price by its quantity before the discount; the existing test for quantities then passes.',
          steps: [
            {
              title: 'Confirm the failure',
              detail: 'Run the tests: "a line costs its unit price times its quantity" fails.',
            },
            {
              title: 'Charge every unit',
              detail: 'In orderTotal, add unitPrice × quantity for each line.',
            },
            {
              title: 'Run the tests again',
              detail: 'All cart and money tests pass, the discount tests included.',
            },
          ],
          files: [
            { path: 'src/cart.ts', change: 'modify', why: 'the subtotal ignores quantities' },
          ],
          risks: [
            'Discounts apply to the corrected subtotal, so discounted orders of several units cost more than before: that is the intended behaviour.',
          ],
          test_plan: [
            'The existing test "a line costs its unit price times its quantity" covers the bug.',
            'The discount and empty-cart tests guard the rest of orderTotal.',
          ],
          complexity: 'small',
        },
      },
    ],
  },
  {
    content: [
      { type: 'text', text: 'Let me first see which tests fail.' },
      {
        type: 'tool_use',
        name: 'bash',
        input: { command: 'npm test 2>&1 | grep -E "^(not )?ok"' },
      },
    ],
  },
  {
    content: [
      {
        type: 'text',
        text: 'The quantity test fails: the subtotal adds unit prices only. Fixing that line.',
      },
      {
        type: 'tool_use',
        name: 'str_replace_based_edit_tool',
        input: {
          command: 'str_replace',
          path: 'src/cart.ts',
          old_str: '  const subtotal = items.reduce((sum, item) => sum + item.unitPrice, 0);',
          new_str:
            '  const subtotal = items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0);',
        },
      },
    ],
  },
  {
    content: [
      {
        type: 'tool_use',
        name: 'bash',
        input: { command: 'npm test 2>&1 | grep -E "^# (pass|fail)"' },
      },
    ],
  },
  {
    content: [
      {
        type: 'tool_use',
        name: 'finish',
        input: {
          pr_title: 'Charge each order line for its quantity',
          pr_description: [
            'orderTotal added up unit prices only, so a customer buying two mugs paid for one.',
            '',
            'Each line now counts unit price × quantity; the discount applies to that subtotal.',
            'The existing test "a line costs its unit price times its quantity" failed before',
            'this change and passes now; the discount and empty-cart tests still pass.',
          ].join('\n'),
          documentation: [
            '## Order totals',
            '',
            'An order total is the sum of each line’s unit price times its quantity, in cents,',
            'less the order discount (0–100 %), rounded to the cent.',
          ].join('\n'),
        },
      },
    ],
  },
];

/**
 * A round of fixes for a review of the demo's change with two line comments (`comments`: their
 * labels in the round, F1, F2…): refuse a negative quantity, test it, answer both.
 */
export function reviewRoundScript(comments: {
  readonly code: string;
  readonly test: string;
}): ScriptedReply[] {
  return [
    {
      content: [
        { type: 'text', text: 'Refusing a negative quantity where the discount is checked.' },
        {
          type: 'tool_use',
          name: 'str_replace_based_edit_tool',
          input: {
            command: 'str_replace',
            path: 'src/cart.ts',
            old_str:
              '  const subtotal = items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0);',
            new_str: [
              '  for (const item of items) {',
              '    if (!Number.isInteger(item.quantity) || item.quantity < 0) {',
              '      throw new RangeError(`a quantity is a whole number from 0, not ${item.quantity}`);',
              '    }',
              '  }',
              '  const subtotal = items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0);',
            ].join('\n'),
          },
        },
      ],
    },
    {
      content: [
        {
          type: 'tool_use',
          name: 'str_replace_based_edit_tool',
          input: {
            command: 'str_replace',
            path: 'test/cart.test.ts',
            old_str: "test('a discount over 100 % is refused', () => {",
            new_str: [
              "test('a negative quantity is refused', () => {",
              '  assert.throws(() => orderTotal([{ ...mug, quantity: -1 }]), RangeError);',
              '});',
              '',
              "test('a discount over 100 % is refused', () => {",
            ].join('\n'),
          },
        },
      ],
    },
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
                to: comments.code,
                body: 'Done: orderTotal throws a RangeError for a negative (or fractional) quantity, like it does for a bad discount.',
              },
              {
                to: comments.test,
                body: 'Added "a negative quantity is refused" next to the discount tests.',
              },
            ],
          },
        },
      ],
    },
  ];
}

/** A round of fixes for a failing lint check: the subtotal's line is too long. */
export const LINT_ROUND_SCRIPT: readonly ScriptedReply[] = [
  {
    content: [
      { type: 'text', text: 'The check says the subtotal line is too long: wrapping it.' },
      {
        type: 'tool_use',
        name: 'str_replace_based_edit_tool',
        input: {
          command: 'str_replace',
          path: 'src/cart.ts',
          old_str:
            '  const subtotal = items.reduce((sum, item) => sum + item.unitPrice * item.quantity, 0);',
          new_str: [
            '  const subtotal = items.reduce(',
            '    (sum, item) => sum + item.unitPrice * item.quantity,',
            '    0,',
            '  );',
          ].join('\n'),
        },
      },
    ],
  },
  {
    content: [
      {
        type: 'tool_use',
        name: 'finish',
        input: {
          headline: 'Wrapped the long line the lint check refused.',
          comment:
            'The lint check failed on the subtotal line (over 80 characters); it is wrapped now.',
          commit_title: 'Wrap the subtotal line for the linter',
          replies: [],
        },
      },
    ],
  },
];
