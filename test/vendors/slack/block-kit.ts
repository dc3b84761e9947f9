// Block Kit as Slack checks it on the way in (the limits aidev can run into), and read back out
// for assertions (the buttons of a message).

export type Block = Readonly<Record<string, unknown>> & { readonly type: string };

export type Surface = 'message' | 'modal' | 'home';

/** Slack's published limits, as documented for each block and element. */
export const LIMITS = {
  blocks: { message: 50, modal: 100, home: 100 },
  messageText: 40_000,
  sectionText: 3000,
  sectionField: 2000,
  sectionFields: 10,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  url: 3000,
  actionId: 255,
  blockId: 255,
  actionsElements: 25,
  contextElements: 10,
  viewTitle: 24,
  privateMetadata: 3000,
  callbackId: 255,
} as const;

const BLOCK_TYPES = new Set([
  'actions',
  'context',
  'divider',
  'file',
  'header',
  'image',
  'input',
  'markdown',
  'rich_text',
  'section',
  'table',
  'video',
]);

type Node = Readonly<Record<string, unknown>>;
const isNode = (value: unknown): value is Node =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Problems in Slack's own wording: `[ERROR] <what> [json-pointer:<where>]`. */
class Problems {
  readonly lines: string[] = [];
  add(pointer: string, what: string): void {
    this.lines.push(`[ERROR] ${what} [json-pointer:${pointer}]`);
  }
  /** A string no longer than `max` characters (Slack says "less than max + 1"). */
  length(value: unknown, max: number, pointer: string): void {
    if (typeof value === 'string' && value.length > max)
      this.add(pointer, `must be less than ${max + 1} characters`);
  }
  /** A text object: `{ type: plain_text | mrkdwn, text }`, its text at most `max` long. */
  text(value: unknown, max: number, pointer: string, plainOnly = false): void {
    if (!isNode(value)) return this.add(pointer, 'must be a text object');
    const allowed = plainOnly ? ['plain_text'] : ['plain_text', 'mrkdwn'];
    if (!allowed.includes(String(value.type)))
      this.add(`${pointer}/type`, `must be one of ${allowed.join(', ')}`);
    if (typeof value.text !== 'string' || value.text === '')
      return this.add(`${pointer}/text`, 'must be more than 0 characters');
    this.length(value.text, max, `${pointer}/text`);
  }
}

/** The Slack-worded problems of a `blocks` array on a surface (empty: Slack accepts it). */
export function blockProblems(blocks: unknown, surface: Surface, pointer = '/blocks'): string[] {
  const problems = new Problems();
  if (!Array.isArray(blocks)) {
    problems.add(pointer, 'must be an array');
    return problems.lines;
  }
  const max = LIMITS.blocks[surface];
  if (blocks.length > max) problems.add(pointer, `no more than ${max} items allowed`);
  blocks.forEach((block: unknown, i) => checkBlock(problems, block, `${pointer}/${i}`));
  return problems.lines;
}

function checkBlock(problems: Problems, block: unknown, at: string): void {
  if (!isNode(block) || typeof block.type !== 'string')
    return problems.add(`${at}/type`, 'missing required field: type');
  if (!BLOCK_TYPES.has(block.type))
    return problems.add(`${at}/type`, `unsupported type: ${block.type}`);
  problems.length(block.block_id, LIMITS.blockId, `${at}/block_id`);
  switch (block.type) {
    case 'section': {
      if (block.text !== undefined) problems.text(block.text, LIMITS.sectionText, `${at}/text`);
      const fields = block.fields;
      if (Array.isArray(fields)) {
        if (fields.length > LIMITS.sectionFields)
          problems.add(`${at}/fields`, `no more than ${LIMITS.sectionFields} items allowed`);
        fields.forEach((f: unknown, i) =>
          problems.text(f, LIMITS.sectionField, `${at}/fields/${i}`),
        );
      }
      if (block.text === undefined && !Array.isArray(fields))
        problems.add(at, 'must provide either text or fields');
      if (block.accessory !== undefined) checkElement(problems, block.accessory, `${at}/accessory`);
      return;
    }
    case 'header':
      return problems.text(block.text, LIMITS.headerText, `${at}/text`, true);
    case 'actions':
    case 'context': {
      const elements = block.elements;
      if (!Array.isArray(elements)) return problems.add(`${at}/elements`, 'must be an array');
      const max = block.type === 'actions' ? LIMITS.actionsElements : LIMITS.contextElements;
      if (elements.length > max)
        problems.add(`${at}/elements`, `no more than ${max} items allowed`);
      if (block.type === 'actions')
        elements.forEach((e: unknown, i) => checkElement(problems, e, `${at}/elements/${i}`));
      return;
    }
    case 'input':
      problems.text(block.label, 2000, `${at}/label`, true);
      return checkElement(problems, block.element, `${at}/element`);
    default:
      return;
  }
}

function checkElement(problems: Problems, element: unknown, at: string): void {
  if (!isNode(element) || typeof element.type !== 'string')
    return problems.add(`${at}/type`, 'missing required field: type');
  problems.length(element.action_id, LIMITS.actionId, `${at}/action_id`);
  if (element.type !== 'button') return;
  problems.text(element.text, LIMITS.buttonText, `${at}/text`, true);
  problems.length(element.value, LIMITS.buttonValue, `${at}/value`);
  problems.length(element.url, LIMITS.url, `${at}/url`);
}

/** The problems of a view payload given to views.open, views.update or views.publish. */
export function viewProblems(view: unknown): string[] {
  const problems = new Problems();
  if (!isNode(view)) {
    problems.add('/view', 'must be a JSON object');
    return problems.lines;
  }
  if (view.type !== 'modal' && view.type !== 'home') {
    problems.add('/view/type', 'must be one of modal, home');
    return problems.lines;
  }
  if (view.type === 'modal') {
    problems.text(view.title, LIMITS.viewTitle, '/view/title', true);
    for (const button of ['submit', 'close'] as const)
      if (view[button] !== undefined && view[button] !== null)
        problems.text(view[button], LIMITS.viewTitle, `/view/${button}`, true);
  }
  problems.length(view.private_metadata, LIMITS.privateMetadata, '/view/private_metadata');
  problems.length(view.callback_id, LIMITS.callbackId, '/view/callback_id');
  return [...problems.lines, ...blockProblems(view.blocks ?? [], view.type, '/view/blocks')];
}

/** A field sent as JSON text (`blocks`, `attachments`, `view`) read back, or undefined. */
export function parseJsonField(value: unknown, kind: 'array' | 'object'): unknown {
  let parsed = value;
  if (typeof value === 'string')
    try {
      parsed = JSON.parse(value) as unknown;
    } catch {
      return undefined;
    }
  const fits = kind === 'array' ? Array.isArray(parsed) : isNode(parsed);
  return fits ? parsed : undefined;
}

export interface Button {
  readonly blockId: string | undefined;
  readonly actionId: string;
  readonly text: string;
  readonly value: string | undefined;
  readonly style: string | undefined;
  readonly url: string | undefined;
}

/** Every button of some blocks (in `actions` blocks and section accessories), in order. */
export function buttonsOf(blocks: readonly unknown[]): Button[] {
  const buttons: Button[] = [];
  for (const block of blocks) {
    if (!isNode(block)) continue;
    const elements: unknown[] = Array.isArray(block.elements)
      ? [...(block.elements as unknown[])]
      : [];
    elements.push(block.accessory);
    for (const element of elements) {
      if (!isNode(element) || element.type !== 'button') continue;
      const text = isNode(element.text) ? String(element.text.text) : '';
      buttons.push({
        blockId: typeof block.block_id === 'string' ? block.block_id : undefined,
        actionId: typeof element.action_id === 'string' ? element.action_id : '',
        text,
        value: typeof element.value === 'string' ? element.value : undefined,
        style: typeof element.style === 'string' ? element.style : undefined,
        url: typeof element.url === 'string' ? element.url : undefined,
      });
    }
  }
  return buttons;
}
