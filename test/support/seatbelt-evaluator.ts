/**
 * A reading of the Seatbelt profiles aidev writes, for tests on machines without macOS: parses
 * the profile's S-expressions and answers whether an operation on a path, port, Mach service or
 * sysctl is allowed. It models the subset of SBPL aidev uses, with Seatbelt's rule that the last
 * matching rule decides and `(deny default)` decides when none matches. It checks what the
 * profile says, not what macOS does with it: that needs a Mac.
 */
type Node = string | { regex: string } | Node[];

export interface Request {
  /** `file-read-data`, `file-write-create`, `network-outbound`, `mach-lookup`, … */
  readonly operation: string;
  readonly path?: string;
  /** `localhost:3128`, `*:443` — a TCP destination. */
  readonly remote?: string;
  readonly name?: string;
  /** `same-sandbox` or `others`, for process-info and signal. */
  readonly target?: 'same-sandbox' | 'others';
}

export function parseProfile(text: string): Node[] {
  const tokens = [
    ...text
      .replace(/;[^\n]*/g, '')
      .matchAll(/#"((?:[^"\\]|\\.)*)"|"((?:[^"\\]|\\.)*)"|[()]|[^\s()"]+/g),
  ];
  const stack: Node[][] = [[]];
  for (const [token, regex, string] of tokens) {
    const top = stack.at(-1) as Node[];
    if (token === '(') stack.push([]);
    else if (token === ')') {
      const done = stack.pop();
      if (done === undefined || stack.length === 0) throw new Error('unbalanced )');
      (stack.at(-1) as Node[]).push(done);
    } else if (regex !== undefined) top.push({ regex });
    else if (string !== undefined) top.push(JSON.parse(`"${string}"`) as string);
    else top.push(token);
  }
  if (stack.length !== 1) throw new Error('unbalanced (');
  return stack[0] as Node[];
}

export function decide(profile: string, request: Request): 'allow' | 'deny' {
  let verdict: 'allow' | 'deny' | undefined;
  let fallback: 'allow' | 'deny' = 'allow';
  for (const rule of parseProfile(profile)) {
    if (!Array.isArray(rule) || (rule[0] !== 'allow' && rule[0] !== 'deny')) continue;
    const action = rule[0];
    const operations = rule.slice(1).filter((n): n is string => typeof n === 'string');
    const filters = rule.slice(1).filter((n): n is Node[] => Array.isArray(n));
    if (operations.includes('default')) {
      fallback = action;
      continue;
    }
    if (!operations.some((op) => operationMatches(op, request.operation))) continue;
    if (filters.length === 0 || filters.some((f) => filterMatches(f, request))) verdict = action;
  }
  return verdict ?? fallback;
}

function operationMatches(pattern: string, operation: string): boolean {
  return pattern.endsWith('*') ? operation.startsWith(pattern.slice(0, -1)) : pattern === operation;
}

function filterMatches(filter: Node[], request: Request): boolean {
  const [kind, ...args] = filter;
  const value = args[0];
  const p = request.path;
  switch (kind) {
    case 'literal':
      return p !== undefined && p === value;
    case 'subpath':
      return (
        p !== undefined && typeof value === 'string' && (p === value || p.startsWith(`${value}/`))
      );
    case 'regex':
      return (
        p !== undefined &&
        typeof value === 'object' &&
        !Array.isArray(value) &&
        new RegExp(value.regex).test(p)
      );
    case 'remote':
      return args[0] === 'ip' && request.remote !== undefined && request.remote === args[1];
    case 'global-name':
      return request.name === value;
    case 'sysctl-name':
      return request.name === value;
    case 'sysctl-name-prefix':
      return (
        request.name !== undefined && typeof value === 'string' && request.name.startsWith(value)
      );
    case 'target':
      return request.target === value;
    default:
      throw new Error(`the evaluator does not know the filter ${JSON.stringify(kind)}`);
  }
}
