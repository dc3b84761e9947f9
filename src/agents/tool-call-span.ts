import { noMonitoring, type Monitoring } from '../plugins/interfaces/monitoring.js';
import type { ToolOutcome } from './model-loop.js';

/**
 * An agent's tool call in a span (#20), named as OpenTelemetry's generative-AI conventions name
 * tool execution (`execute_tool <tool>`, `gen_ai.tool.*`): which tool, its call id, how long it
 * took and how it ended. Never the tool's input (a command, a file's text) or what it gave back,
 * which may quote the repository or a secret a command printed. A tool's error goes back to the
 * model to correct; the span says so (`aidev.tool.outcome: error`) without failing the step.
 */
export function inToolCallSpan(
  monitoring: Monitoring | undefined,
  use: { readonly name: string; readonly id: string },
  fn: () => Promise<ToolOutcome>,
): Promise<ToolOutcome> {
  return (monitoring ?? noMonitoring).inSpan(
    {
      kind: 'tool_call',
      name: `execute_tool ${use.name}`,
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': use.name,
        'gen_ai.tool.call.id': use.id,
      },
    },
    async (span) => {
      const outcome = await fn();
      const ended =
        outcome.finish !== undefined ? 'finish' : outcome.isError === true ? 'error' : 'ok';
      span.setAttributes({
        'aidev.tool.outcome': ended,
        'aidev.tool.result.chars': outcome.content.length,
      });
      if (ended === 'error') {
        span.setAttributes({ 'error.type': 'tool_error' });
        span.fail('tool_error');
      }
      return outcome;
    },
  );
}
