import { GraphQLError } from 'graphql';

/**
 * Linear's filter inputs (IssueFilter, TeamFilter, …) over the model's records: `and` / `or`,
 * comparators (eq, neq, in, nin, eqIgnoreCase, containsIgnoreCase, lt(e), gt(e), null) on
 * fields, and relation filters on related records. A field the model does not know is refused
 * loudly, so a test never passes on a filter that was silently ignored.
 */
export type Fields = Readonly<Record<string, (record: never) => unknown>>;

const COMPARATORS: Readonly<Record<string, (value: unknown, operand: unknown) => boolean>> = {
  eq: (v, o) => v === o,
  neq: (v, o) => v !== o,
  in: (v, o) => Array.isArray(o) && o.includes(v),
  nin: (v, o) => Array.isArray(o) && !o.includes(v),
  eqIgnoreCase: (v, o) =>
    typeof v === 'string' && typeof o === 'string' && v.toLowerCase() === o.toLowerCase(),
  containsIgnoreCase: (v, o) =>
    typeof v === 'string' && typeof o === 'string' && v.toLowerCase().includes(o.toLowerCase()),
  lt: (v, o) => (v as number) < (o as number),
  lte: (v, o) => (v as number) <= (o as number),
  gt: (v, o) => (v as number) > (o as number),
  gte: (v, o) => (v as number) >= (o as number),
  null: (v, o) => (v === null || v === undefined) === o,
};

export function matches(
  record: unknown,
  filter: Readonly<Record<string, unknown>> | null | undefined,
  fields: Fields,
  relations: Readonly<Record<string, { get: (record: never) => unknown; fields: Fields }>> = {},
): boolean {
  if (filter == null) return true;
  return Object.entries(filter).every(([key, operand]) => {
    if (operand == null) return true;
    if (key === 'and')
      return (operand as Record<string, unknown>[]).every((f) =>
        matches(record, f, fields, relations),
      );
    if (key === 'or')
      return (operand as Record<string, unknown>[]).some((f) =>
        matches(record, f, fields, relations),
      );
    const relation = relations[key];
    if (relation !== undefined) {
      const related = relation.get(record as never);
      if (related == null) return false;
      return matches(related, operand as Record<string, unknown>, relation.fields);
    }
    const field = fields[key];
    if (field === undefined) throw new GraphQLError(`the local Linear does not filter on "${key}"`);
    const value = field(record as never);
    return Object.entries(operand as Record<string, unknown>).every(([op, arg]) => {
      const compare = COMPARATORS[op];
      if (compare === undefined)
        throw new GraphQLError(`the local Linear does not compare with "${op}"`);
      return compare(value, arg);
    });
  });
}
