import { createInterface } from 'node:readline/promises';
import type { Decider } from './follow-run.js';

type Write = { write(text: string): unknown };

/** The gate's question; with a plan to decide on, the plan itself rather than its summary. */
function showGate(
  out: Write,
  gate: { step: string; message: string; plan: string | undefined },
): void {
  const heading =
    gate.plan === undefined
      ? gate.message
      : `${gate.message.split(':')[0] ?? gate.step}:\n\n${gate.plan}`;
  out.write(`\n${heading}\n\n`);
}

/** `--yes`: plans are approved as they come (and shown); more money is never granted. */
export function approveAll(out: Write): Decider {
  return {
    approval(gate) {
      showGate(out, gate);
      out.write('Approved (--yes).\n');
      return Promise.resolve({ approve: true });
    },
    budget: () => Promise.resolve(undefined),
  };
}

/** Without a terminal or --yes nobody can answer: the run waits for `aidev approve`. */
export const decideNothing: Decider = {
  approval: () => Promise.resolve(undefined),
  budget: () => Promise.resolve(undefined),
};

/** Asks the person at the terminal. */
export function askAtTerminal(input: NodeJS.ReadableStream, out: NodeJS.WritableStream): Decider {
  const ask = async (question: string) => {
    const rl = createInterface({ input, output: out });
    try {
      return (await rl.question(question)).trim();
    } finally {
      rl.close();
    }
  };
  return {
    async approval(gate) {
      showGate(out, gate);
      for (;;) {
        const answer = (
          await ask('Approve this plan? [y]es, [n]o, or type feedback to reject with it: ')
        ).toLowerCase();
        if (answer === 'y' || answer === 'yes') return { approve: true };
        if (answer === 'n' || answer === 'no') return { approve: false };
        if (answer !== '') return { approve: false, feedback: answer };
      }
    },
    async budget(pause) {
      out.write(`\nThe run paused: ${pause.message}\n`);
      for (;;) {
        const answer = await ask(
          pause.scope === 'run'
            ? 'Grant this run more? Type an amount in dollars (e.g. 2.50), or "stop": '
            : 'Type an amount in dollars to let this run alone spend that much more, "raise AMOUNT" to raise the monthly budget for every run it paused, "stop" to end the run, or press Enter to leave it waiting: ',
        );
        if (answer === 'stop') return { stop: true };
        if (answer === '' && pause.scope !== 'run') return undefined;
        const raise = /^raise\s+\$?(\d+(\.\d+)?)$/.exec(answer);
        if (raise?.[1] !== undefined) return { raise: raise[1] };
        if (/^\$?\d+(\.\d+)?$/.test(answer)) return { grant: answer.replace(/^\$/, '') };
      }
    },
  };
}
