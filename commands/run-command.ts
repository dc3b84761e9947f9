import type { CommandContext } from './command-context.js';
import { budget } from './budget.js';
import { cancel } from './cancel.js';
import { config } from './config.js';
import { help, helpText } from './help.js';
import { implement } from './implement.js';
import { parseCommand } from './parse-command.js';
import { plan } from './plan.js';
import { status } from './status.js';

/** Runs one `/aidev …` (or `@aidev …`): a malformed one is answered with the right form. */
export async function runCommand(ctx: CommandContext, text: string): Promise<void> {
  const parsed = parseCommand(text);
  if (!parsed.ok) return ctx.ack({ text: helpText(parsed) });
  const { command } = parsed;
  switch (command.name) {
    case 'implement':
      return implement(ctx, command);
    case 'plan':
      return plan(ctx, command);
    case 'status':
      return status(ctx, command);
    case 'cancel':
      return cancel(ctx, command);
    case 'budget':
      return budget(ctx, command);
    case 'config':
      return config(ctx, command);
    case 'help':
      return help(ctx);
  }
}
