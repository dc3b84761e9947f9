import { z } from 'zod';

/** A plan for one task, as the planning agent must give it (checked before anyone sees it). */
export const planSchema = z.strictObject({
  summary: z.string().min(1).max(600).describe('What will be done, in two or three sentences.'),
  steps: z
    .array(z.strictObject({ title: z.string().min(1).max(200), detail: z.string().max(2000) }))
    .min(1)
    .max(20)
    .describe('The work, in the order it will be done.'),
  files: z
    .array(
      z.strictObject({
        path: z.string().min(1),
        change: z.enum(['add', 'modify', 'delete']),
        why: z.string().max(500),
      }),
    )
    .max(50)
    .describe('Files to touch.'),
  risks: z.array(z.string().max(500)).max(10).describe('What could go wrong, and what guards it.'),
  test_plan: z.array(z.string().max(500)).min(1).max(15).describe('How the change is tested.'),
  complexity: z
    .enum(['small', 'medium', 'large'])
    .describe('small: a few lines in one place; medium: several files; large: a feature.'),
});
export type Plan = z.output<typeof planSchema>;

/** Requirements broken down into epics and tasks. */
export const breakdownSchema = z.strictObject({
  summary: z.string().min(1).max(600),
  epics: z
    .array(
      z.strictObject({
        title: z.string().min(1).max(200),
        description: z.string().max(4000),
        tasks: z
          .array(
            z.strictObject({
              title: z.string().min(1).max(200),
              description: z.string().max(4000),
              story_points: z.number().int().min(1).max(21).optional(),
            }),
          )
          .min(1)
          .max(30),
      }),
    )
    .min(1)
    .max(15),
});
export type Breakdown = z.output<typeof breakdownSchema>;

/** A plan as people read it (Slack thread, terminal, pull request). */
export function planText(plan: Plan): string {
  const lines = [plan.summary, '', '*Steps*'];
  plan.steps.forEach((s, i) =>
    lines.push(`${i + 1}. ${s.title}${s.detail ? ` — ${s.detail}` : ''}`),
  );
  if (plan.files.length > 0) {
    lines.push('', '*Files*');
    for (const f of plan.files)
      lines.push(`• ${f.change} \`${f.path}\`${f.why ? `: ${f.why}` : ''}`);
  }
  if (plan.risks.length > 0) lines.push('', '*Risks*', ...plan.risks.map((r) => `• ${r}`));
  lines.push('', '*Tests*', ...plan.test_plan.map((t) => `• ${t}`));
  return lines.join('\n');
}

/** A breakdown as people read it. */
export function breakdownText(breakdown: Breakdown): string {
  const lines = [breakdown.summary];
  for (const epic of breakdown.epics) {
    lines.push('', `*${epic.title}* — ${epic.description}`);
    for (const task of epic.tasks)
      lines.push(
        `• ${task.title}${task.story_points === undefined ? '' : ` (${task.story_points} pts)`}`,
      );
  }
  return lines.join('\n');
}
