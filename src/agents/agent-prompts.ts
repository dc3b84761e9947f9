import path from 'node:path';
import { PromptTemplate, PromptTemplateError } from './prompt-template.js';

/** Each built-in prompt and the variables the agents give it. */
const PROMPTS = {
  development_system: ['environment'],
  repository_context: ['repository', 'analysis', 'files'],
  implement_task: ['task', 'plan', 'branch', 'repository'],
  address_feedback: ['task', 'summary', 'feedback', 'checks', 'branch', 'round'],
  planning_system: [],
  plan_task: ['task', 'analysis'],
  revise_plan: ['previous_plan', 'feedback'],
  breakdown: ['requirements', 'project'],
} as const satisfies Record<string, readonly string[]>;

export type PromptName = keyof typeof PROMPTS;

/**
 * The agents' prompt templates (`prompts/*.txt`), loaded and checked once at start-up: a
 * template that is missing, malformed or uses a variable its agent does not give is an error
 * then, naming the file, line and column, not in the middle of a run.
 */
export class AgentPrompts {
  private constructor(private readonly templates: ReadonlyMap<PromptName, PromptTemplate>) {}

  static load(directory: string): AgentPrompts {
    const templates = new Map<PromptName, PromptTemplate>();
    const problems: string[] = [];
    for (const [name, variables] of Object.entries(PROMPTS) as [PromptName, readonly string[]][]) {
      const file = path.join(directory, `${name}.txt`);
      try {
        const template = PromptTemplate.load(file);
        problems.push(...template.missing(variables));
        templates.set(name, template);
      } catch (error) {
        problems.push(
          (error as NodeJS.ErrnoException).code === 'ENOENT'
            ? `${file}: the ${name} prompt is missing (restore it from the aidev repository)`
            : (error as Error).message,
        );
      }
    }
    if (problems.length > 0) throw new PromptTemplateError(problems.join('\n'));
    return new AgentPrompts(templates);
  }

  render(name: PromptName, values: Readonly<Record<string, unknown>>): string {
    const template = this.templates.get(name);
    if (template === undefined) throw new PromptTemplateError(`no prompt named ${name}`);
    return template.render(values).trim();
  }
}
