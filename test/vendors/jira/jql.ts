/**
 * The part of JQL the local Jira understands: clauses `field = value`, `!=`, `~`, `!~`, `in
 * (…)`, `not in (…)`, `is EMPTY`, joined with AND / OR / NOT and parentheses, values quoted or
 * bare, the function currentUser(), then ORDER BY. Anything else is refused the way Jira
 * refuses a query it cannot parse (400, "Error in the JQL Query: …").
 */

export class JqlError extends Error {}

type Token = { kind: 'string' | 'word' | 'op' | 'punct'; text: string };

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const c = jql.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (c === '"' || c === "'") {
      let text = '';
      i++;
      while (i < jql.length && jql.charAt(i) !== c) {
        if (jql.charAt(i) === '\\') i++;
        text += jql.charAt(i++);
      }
      if (i >= jql.length)
        throw new JqlError(
          `Error in the JQL Query: The quoted string ${c}${text} has not been completed.`,
        );
      i++;
      tokens.push({ kind: 'string', text });
    } else if ('(),'.includes(c)) {
      tokens.push({ kind: 'punct', text: c });
      i++;
    } else {
      const op = /^(!=|!~|>=|<=|=|~|>|<)/.exec(jql.slice(i));
      if (op !== null) {
        tokens.push({ kind: 'op', text: op[0] });
        i += op[0].length;
        continue;
      }
      const word = /^[\w.\-[\]]+/.exec(jql.slice(i));
      if (word === null)
        throw new JqlError(
          `Error in the JQL Query: The character '${c}' is a reserved JQL character.`,
        );
      tokens.push({ kind: 'word', text: word[0] });
      i += word[0].length;
    }
  }
  return tokens;
}

export type Condition<I> = (issue: I) => boolean;

/** How the server's issues are read by field name; undefined: no such field. */
export interface JqlFields<I> {
  values(field: string): ((issue: I) => string[]) | undefined;
  /** Jira checks values of some fields (project, status, issuetype): an error message, or undefined. */
  check(field: string, value: string): string | undefined;
  currentUser: string;
}

export interface ParsedJql<I> {
  where: Condition<I>;
  orderBy: { field: string; descending: boolean }[];
}

export function parseJql<I>(jql: string, fields: JqlFields<I>): ParsedJql<I> {
  const tokens = tokenize(jql);
  let at = 0;
  const peek = () => tokens[at];
  const isWord = (word: string) => peek()?.kind === 'word' && peek()?.text.toLowerCase() === word;
  const fail = (expected: string): never => {
    const found = peek();
    throw new JqlError(
      `Error in the JQL Query: Expecting ${expected} but got ${found === undefined ? 'the end of the query' : `'${found.text}'`}.`,
    );
  };
  const value = (): string => {
    const token = peek();
    if (token === undefined || (token.kind !== 'string' && token.kind !== 'word'))
      return fail('a value');
    at++;
    if (token.kind === 'word' && tokens[at]?.text === '(') {
      at++;
      if (tokens[at]?.text !== ')') fail("')'");
      at++;
      if (token.text.toLowerCase() === 'currentuser') return fields.currentUser;
      throw new JqlError(`Error in the JQL Query: Unable to find JQL function '${token.text}()'.`);
    }
    return token.text;
  };
  const clause = (): Condition<I> => {
    const token = peek();
    if (token === undefined || (token.kind !== 'word' && token.kind !== 'string'))
      return fail('a field name');
    at++;
    const name = token.text;
    const read = fields.values(name.toLowerCase());
    if (read === undefined)
      throw new JqlError(
        `Field '${name}' does not exist or you do not have permission to view it.`,
      );
    const checked = (v: string) => {
      const problem = fields.check(name.toLowerCase(), v);
      if (problem !== undefined) throw new JqlError(problem);
      return v.toLowerCase();
    };
    const op = peek();
    if (op?.kind === 'op' && ['=', '!='].includes(op.text)) {
      at++;
      const wanted = checked(value());
      const test = (issue: I) => read(issue).some((v) => v.toLowerCase() === wanted);
      return op.text === '=' ? test : (issue) => !test(issue);
    }
    if (op?.kind === 'op' && ['~', '!~'].includes(op.text)) {
      at++;
      const words = value()
        .toLowerCase()
        .split(/\s+/)
        .filter((w) => w !== '');
      const test = (issue: I) => {
        const text = read(issue).join(' ').toLowerCase();
        return words.every((w) => text.includes(w));
      };
      return op.text === '~' ? test : (issue) => !test(issue);
    }
    const negated = isWord('not');
    if (negated) at++;
    if (isWord('in')) {
      at++;
      if (peek()?.text !== '(') fail("'('");
      at++;
      const wanted = [checked(value())];
      while (peek()?.text === ',') {
        at++;
        wanted.push(checked(value()));
      }
      if (peek()?.text !== ')') fail("')'");
      at++;
      const test = (issue: I) => read(issue).some((v) => wanted.includes(v.toLowerCase()));
      return negated ? (issue) => !test(issue) : test;
    }
    if (!negated && isWord('is')) {
      at++;
      const not = isWord('not');
      if (not) at++;
      if (!isWord('empty')) fail("'EMPTY'");
      at++;
      return (issue) => (read(issue).length === 0) !== not;
    }
    return fail("an operator such as '=', '!=', '~' or 'in'");
  };
  const unary = (): Condition<I> => {
    if (isWord('not')) {
      at++;
      const inner = unary();
      return (issue) => !inner(issue);
    }
    if (peek()?.text === '(') {
      at++;
      const inner = or();
      if (peek()?.text !== ')') fail("')'");
      at++;
      return inner;
    }
    return clause();
  };
  const and = (): Condition<I> => {
    const parts = [unary()];
    while (isWord('and')) {
      at++;
      parts.push(unary());
    }
    return (issue) => parts.every((p) => p(issue));
  };
  const or = (): Condition<I> => {
    const parts = [and()];
    while (isWord('or')) {
      at++;
      parts.push(and());
    }
    return (issue) => parts.some((p) => p(issue));
  };

  const where: Condition<I> = peek() === undefined || isWord('order') ? () => true : or();
  const orderBy: ParsedJql<I>['orderBy'] = [];
  if (isWord('order')) {
    at++;
    if (!isWord('by')) fail("'by'");
    at++;
    do {
      if (orderBy.length > 0) at++;
      const field = peek();
      if (field?.kind !== 'word') fail('a field name');
      at++;
      const descending = isWord('desc');
      if (descending || isWord('asc')) at++;
      orderBy.push({ field: (field as Token).text.toLowerCase(), descending });
    } while (peek()?.text === ',');
  }
  if (peek() !== undefined) fail("the end of the query, 'AND', 'OR' or 'ORDER BY'");
  return { where, orderBy };
}
