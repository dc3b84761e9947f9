import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import { formatProblem } from '../../errors/problem.js';
import { parseWithProblems } from '../../errors/zod-problems.js';
import { locate, parseYaml } from '../../yaml/yaml-source.js';

const taskSeed = z.strictObject({
  key: z
    .string()
    .regex(/^[A-Z][A-Z0-9]*-\d+$/, { error: 'expected a key such as DEMO-1' })
    .optional(),
  title: z.string().min(1),
  description: z.string().default(''),
  status: z.string().optional(),
  type: z.string().default('task'),
  epic: z.string().optional(),
  priority: z.string().optional(),
  assignee: z.string().optional(),
  labels: z.array(z.string()).default([]),
  points: z.number().optional(),
  repository: z.string().optional(),
});

export const seedSchema = z.strictObject({
  projects: z.array(
    z.strictObject({
      key: z
        .string()
        .regex(/^[A-Z][A-Z0-9]*$/, { error: 'expected a project key in capitals, such as DEMO' }),
      name: z.string().min(1),
      tasks: z.array(taskSeed).default([]),
    }),
  ),
});

export type TrackerSeed = z.output<typeof seedSchema>;

/** Reads the tracker's seed file; every problem is reported with file:line:col. */
export async function readSeed(file: string): Promise<TrackerSeed> {
  const shown = path.basename(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AppError(
      'config_invalid',
      `local tracker seed: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
  }
  const parsed = parseYaml(text, shown);
  if (!parsed.ok)
    throw new AppError('config_invalid', parsed.problems.map(formatProblem).join('\n'));
  const source = parsed.source;
  const result = parseWithProblems(seedSchema, parsed.value, {
    locate: (p, key) => locate(source, p, key),
  });
  if (!result.ok)
    throw new AppError('config_invalid', result.problems.map(formatProblem).join('\n'));
  return result.value;
}
