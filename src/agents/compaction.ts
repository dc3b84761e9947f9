import type { ChatMessage } from '../plugins/interfaces/ai-provider.js';
import { briefInput, modelView, type ContextPolicy } from './context-window.js';
import type { LoopOptions, LoopState, RequestPrefix } from './model-loop.js';

/** The last prompt reached the share of the window at which the conversation is summarized. */
export function needsCompaction(state: LoopState, policy: ContextPolicy | undefined): boolean {
  if (policy === undefined || state.promptTokens == null) return false;
  return state.promptTokens >= policy.windowTokens * policy.compactAt;
}

const COMPACT_REQUEST = `Your context is nearly full, so this conversation will now be replaced by a summary that you write. Do not call any tool. Write the summary for yourself, to go on with the task from it alone:
- what the task is and what is done so far (files changed, and how);
- what you learnt about the repository that you still need (paths, names, commands that work);
- the state of the tests and what remains to do next.
Be specific (paths, function names, commands) and brief.`;

/**
 * Replaces the conversation by the task and a summary the model writes of it (a metered call,
 * budgeted like any other), when the last prompt neared the window. The same system text and
 * tools are sent, so the summary call reads its prefix from the cache. Returns what the call cost.
 */
export async function compact(options: LoopOptions, prefix: RequestPrefix): Promise<string> {
  const { state } = options;
  const policy = options.context as ContextPolicy;
  const view = [...modelView(state.messages, policy)];
  const last = view.at(-1);
  const ask = { type: 'text' as const, text: COMPACT_REQUEST };
  if (last?.role === 'user') view[view.length - 1] = { ...last, content: [...last.content, ask] };
  else view.push({ role: 'user', content: [ask] });
  const meta = options.meta(state.turns);
  const { response, costUsd } = await options.model.complete(
    { ...options.request, system: prefix.system, tools: prefix.tools, messages: view },
    {
      ...meta,
      callKey: `${meta.callKey}:compact`,
      ...(meta.conversation === undefined
        ? {}
        : { conversation: { ...meta.conversation, name: `${meta.conversation.name}/compact` } }),
    },
  );
  const summary = response.content
    .filter((b) => b.type === 'text')
    .map((b) => b.text)
    .join('\n')
    .trim();
  const first = state.messages[0];
  const task = first?.content.filter((b) => b.type === 'text') ?? [];
  await options.onCompaction?.({ turn: state.turns, promptTokens: state.promptTokens ?? 0 });
  state.messages = [
    {
      role: 'user',
      content: [
        ...task,
        {
          type: 'text',
          text: `(Earlier turns of this session were replaced by the summary you wrote of them. Go on from it; look again at anything you need.)\n\n${summary === '' ? toolDigest(state.messages) : summary}`,
        },
      ],
    },
  ];
  state.promptTokens = null;
  state.compactions = (state.compactions ?? 0) + 1;
  return costUsd;
}

/** What the model did, in one line a call, when it wrote no summary. */
function toolDigest(messages: readonly ChatMessage[]): string {
  const calls = messages.flatMap((m) =>
    m.content.filter((b) => b.type === 'tool_use').map((b) => `- ${b.name} ${briefInput(b.input)}`),
  );
  return `The tools you called so far:\n${calls.slice(-60).join('\n')}`;
}
