import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem } from '../../src/errors/problem.js';
import { loadWorkflowFile } from '../../src/engine/load-workflow.js';
import { standardWorkflowEnvironment } from '../../src/engine/workflow-environment.js';
import { REPO_ROOT } from '../support/child-process.js';

const DIR = 'test/fixtures/workflows/malformed';

/** Every malformed workflow and exactly what the loader must say about it: where, which field, what. */
const EXPECTED: Record<string, string[]> = {
  '01-duplicate-key.yaml': ['01-duplicate-key.yaml:6:5 invalid YAML: map keys must be unique'],
  '02-tab-indentation.yaml': [
    '02-tab-indentation.yaml:4:1 invalid YAML: tabs are not allowed as indentation',
  ],
  '03-unknown-top-level-key.yaml': [
    '03-unknown-top-level-key.yaml:1:1 steps: expected a list of steps, found nothing',
    '03-unknown-top-level-key.yaml:2:1 stpes: unknown key (did you mean "steps"?); allowed keys: name, description, version, inputs, variables, timeout, steps, on_failure',
  ],
  '04-no-steps.yaml': [
    '04-no-steps.yaml:2:8 steps: expected at least one step, found a list of 0 items',
  ],
  '05-step-without-name.yaml': [
    '05-step-without-name.yaml:3:5 steps[0].name: expected a name for the step, found nothing',
  ],
  '06-unknown-step-type.yaml': [
    '06-unknown-step-type.yaml:4:11 steps[0].type: expected one of plugin_action, ai_action, approval, set, found "ai_acton" (did you mean "ai_action"?)',
  ],
  '07-unknown-plugin.yaml': [
    '07-unknown-plugin.yaml:4:13 steps[0].plugin: expected one of task_management, version_control, documentation, communication, found "version_contrl" (did you mean "version_control"?)',
  ],
  '08-unknown-action.yaml': [
    '08-unknown-action.yaml:5:13 steps[0].action: expected an action of version_control (get_repository_info, get_file_tree, read_files, check_out, create_branch, commit_changes, create_pull_request, get_permission, find_pull_request, post_pull_request_comments, request_review, list_review_comments, get_failing_checks, close_pull_request, delete_branch), found "create_brnch" (did you mean "create_branch"?)',
  ],
  '09-unknown-agent.yaml': [
    '09-unknown-agent.yaml:5:12 steps[0].agent: expected one of development, planning, found "developmnt" (did you mean "development"?)',
  ],
  '10-bad-on-error.yaml': [
    '10-bad-on-error.yaml:8:15 steps[0].on_error: expected one of fail, retry, rollback, continue, found "sometimes"',
  ],
  '11-retry-count-out-of-range.yaml': [
    '11-retry-count-out-of-range.yaml:9:18 steps[0].retry_count: expected a whole number from 0 to 10, found number 25',
  ],
  '12-retry-count-wrong-type.yaml': [
    '12-retry-count-wrong-type.yaml:9:18 steps[0].retry_count: expected a whole number from 0 to 10, found "two"',
  ],
  '13-retry-count-without-retry.yaml': [
    '13-retry-count-without-retry.yaml:9:18 steps[0].retry_count: expected only with on_error: retry, found it with on_error: fail',
  ],
  '14-bad-duration.yaml': [
    '14-bad-duration.yaml:2:10 timeout: expected a duration from 1s to 7d, such as 30s, 5m or 1500ms, found "whenever"',
    '14-bad-duration.yaml:7:14 steps[0].timeout: expected a duration from 100ms to 24h, such as 30s, 5m or 1500ms, found "90 parsecs"',
  ],
  '15-duplicate-step-names.yaml': [
    '15-duplicate-step-names.yaml:8:11 steps[1].name: expected a name no other step has, found "fetch" (also the name of steps[0])',
  ],
  '16-undefined-variable.yaml': [
    '16-undefined-variable.yaml:9:17 steps[0].inputs.task_id: refers to task_key, which is not defined here; defined here: inputs, context, run, steps, task_id',
  ],
  '17-output-of-a-later-step.yaml': [
    '17-output-of-a-later-step.yaml:10:28 steps[0].inputs.message: refers to task_data, which is only set by step fetch (steps[1]), after this point',
  ],
  '18-later-step-by-name.yaml': [
    '18-later-step-by-name.yaml:7:11 steps[0].when: refers to steps.fetch, which runs after this point (steps[1])',
  ],
  '19-proto-output-name.yaml': [
    '19-proto-output-name.yaml:11:13 steps[0].outputs.task: expected a plain name, found "__proto__", which is reserved',
  ],
  '20-constructor-variable.yaml': [
    '20-constructor-variable.yaml:3:3 variables.constructor: expected a plain name, found "constructor", which is reserved',
  ],
  '21-expression-syntax-error.yaml': [
    '21-expression-syntax-error.yaml:10:38 steps[0].inputs.message: invalid expression "task.title +": unexpected token: EOF',
  ],
  '22-run-code-from-an-expression.yaml': [
    `22-run-code-from-an-expression.yaml:10:19 steps[0].inputs.message: invalid expression "require('child_process').execSync('cat /etc/passwd')": found no matching overload for 'require(string)'`,
  ],
  '23-unclosed-template.yaml': [
    '23-unclosed-template.yaml:10:24 steps[0].inputs.message: expected "}" to close "${"',
  ],
  '24-unknown-action-input.yaml': [
    '24-unknown-action-input.yaml:7:7 steps[0].inputs: expected input "title" (required by version_control.create_pull_request), found nothing',
    '24-unknown-action-input.yaml:9:7 steps[0].inputs.titel: unknown input of version_control.create_pull_request (did you mean "title"?); allowed inputs: repository, source_branch, branch_name, target_branch, title, description, draft, labels, reviewers',
  ],
  '25-missing-required-input.yaml': [
    '25-missing-required-input.yaml:7:7 steps[0].inputs: expected input "comment" (required by task_management.add_comment), found nothing',
  ],
  '26-input-of-wrong-type.yaml': [
    '26-input-of-wrong-type.yaml:10:14 steps[0].inputs.draft: expected true or false, found "yes"',
  ],
  '27-condition-not-boolean.yaml': [
    '27-condition-not-boolean.yaml:6:11 steps[0].when: expected a condition that is true or false, found an expression of type string',
  ],
  '28-approval-in-on-failure.yaml': [
    '28-approval-in-on-failure.yaml:10:11 on_failure[0].type: expected a step that does not wait: approval gates cannot run after a failure',
  ],
  '29-unknown-step-key.yaml': [
    '29-unknown-step-key.yaml:6:5 steps[0].on_eror: unknown key (did you mean "on_error"?); allowed keys: name, type, description, when, timeout, on_error, retry_count, outputs, plugin, action, inputs',
  ],
  '30-missing-prompt-template.yaml': [
    '30-missing-prompt-template.yaml:5:22 steps[0].prompt_template: expected the path of a prompt template file inside prompts/ (such as prompts/implement_task.txt), found "./prompts/nowhere.txt"',
  ],
  '31-reads-process-environment.yaml': [
    '31-reads-process-environment.yaml:10:17 steps[0].inputs.message: refers to process, which is not defined here; defined here: inputs, context, run, steps, task',
  ],
  '32-built-in-name-as-output.yaml': [
    '32-built-in-name-as-output.yaml:9:13 steps[0].outputs.task: expected a name of your own, found "steps", which is built in',
  ],
};

describe('the malformed-workflow corpus', () => {
  const env = standardWorkflowEnvironment(REPO_ROOT);
  const files = readdirSync(path.join(REPO_ROOT, DIR)).filter((f) => f.endsWith('.yaml'));

  it('has an expectation for every file, and at least 20 distinct mistakes', () => {
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(files.length).toBeGreaterThanOrEqual(20);
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`${file}: reports exactly where and what is wrong`, async () => {
      const result = await loadWorkflowFile(
        path.join(REPO_ROOT, DIR, file),
        env,
        path.join(REPO_ROOT, DIR),
      );
      expect(result.ok).toBe(false);
      expect(result.ok ? [] : result.problems.map(formatProblem)).toEqual(expected);
    });
  }
});
