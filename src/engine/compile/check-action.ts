import type { z } from 'zod';
import { didYouMeanSuffix } from '../../errors/did-you-mean.js';
import { describeZodError } from '../../errors/zod-problems.js';
import type { PathSegment } from '../paths.js';
import type { CompileEnvironment } from './compile-step.js';
import type { IssueList } from './issues.js';

/** Checks a plugin step against the declared signature of its action. */
export function checkAction(
  step: { plugin: string; action: string; inputs?: Record<string, unknown> | undefined },
  at: readonly PathSegment[],
  env: CompileEnvironment,
  issues: IssueList,
): void {
  const plugins = env.actions.plugins();
  if (!plugins.includes(step.plugin)) {
    issues.add(
      [...at, 'plugin'],
      `expected one of ${plugins.join(', ')}, found ${JSON.stringify(step.plugin)}${didYouMeanSuffix(step.plugin, plugins)}`,
    );
    return;
  }
  const signature = env.actions.get(step.plugin, step.action);
  if (signature === undefined) {
    const actions = env.actions.actions(step.plugin);
    issues.add(
      [...at, 'action'],
      `expected an action of ${step.plugin} (${actions.join(', ')}), found ${JSON.stringify(step.action)}${didYouMeanSuffix(step.action, actions)}`,
    );
    return;
  }
  const shape = signature.input.shape as Record<string, z.ZodType>;
  const names = Object.keys(shape);
  const inputs = step.inputs ?? {};
  const qualified = `${step.plugin}.${step.action}`;
  for (const [key, value] of Object.entries(inputs)) {
    const field = shape[key];
    if (field === undefined) {
      issues.add(
        [...at, 'inputs', key],
        `unknown input of ${qualified}${didYouMeanSuffix(key, names)}; allowed inputs: ${names.join(', ')}`,
        { key },
      );
    } else if (!JSON.stringify(value ?? null).includes('${')) {
      const result = field.safeParse(value, { reportInput: true });
      if (!result.success) {
        for (const issue of describeZodError(result.error))
          issues.add([...at, 'inputs', key, ...(issue.path as PathSegment[])], issue.message);
      }
    }
  }
  for (const name of names) {
    if (name in inputs || (shape[name]?.safeParse(undefined).success ?? true)) continue;
    issues.add(
      [...at, 'inputs'],
      `expected input "${name}" (required by ${qualified}), found nothing`,
    );
  }
}
