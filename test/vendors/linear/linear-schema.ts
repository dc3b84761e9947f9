import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildSchema, type GraphQLSchema } from 'graphql';
import ts from 'typescript';

/*
 * Linear's GraphQL schema, as the installed @linear/sdk publishes it. The package ships no SDL
 * or introspection file, but its type declarations are graphql-codegen's `typescript` output of
 * Linear's schema for exactly this SDK version (the same schema its operations were generated
 * from): every object, interface, union, input, enum and scalar, with nullability and each
 * field's arguments (`<Type><Field>Args`). This reads those declarations back into SDL, so the
 * local server checks each operation against the schema of the SDK version we depend on, with
 * nothing copied into the repository. Field descriptions, argument defaults and directives are
 * not in the declarations and are not needed to validate. One known difference: codegen
 * changes the case of acronyms in type names (Linear's `IDComparator` is `IdComparator` here),
 * which matters only to a document that declares a variable of such an input type; aidev's
 * variables are `String`, `ID`, `Int` and the top-level inputs (`IssueFilter`, …), which keep
 * their names. Checked once against Linear's published schema.graphql (SDK 88.3): the 8,767
 * fields both have agree but for such renames and fields added since.
 */

const BUILT_IN_SCALARS = new Set(['ID', 'String', 'Boolean', 'Int', 'Float']);

type Kind = 'object' | 'interface' | 'union';

interface Alias {
  readonly name: string;
  readonly node: ts.TypeNode;
}

/** The declarations file of the installed SDK that holds the generated schema types. */
function declarationsFile(): string {
  const require = createRequire(import.meta.url);
  const dir = path.join(path.dirname(require.resolve('@linear/sdk/package.json')), 'dist');
  const index = readFileSync(path.join(dir, 'index.d.mts'), 'utf8');
  // The index re-exports from a hashed chunk (`from "./index-XXXX.mjs"`): the chunk has the types.
  const chunk = /from "\.\/(index-[\w-]+)\.mjs"/.exec(index)?.[1];
  return path.join(dir, chunk === undefined ? 'index.d.mts' : `${chunk}.d.mts`);
}

function literalOf(node: ts.TypeNode): ts.TypeLiteralNode | undefined {
  if (ts.isTypeLiteralNode(node)) return node;
  if (ts.isIntersectionTypeNode(node)) return node.types.find(ts.isTypeLiteralNode);
  return undefined;
}

/** The `__typename?: "X"` of an object type's literal. */
function typename(literal: ts.TypeLiteralNode): string | undefined {
  for (const member of literal.members) {
    if (!ts.isPropertySignature(member) || member.name.getText() !== '__typename') continue;
    const type = member.type;
    if (type !== undefined && ts.isLiteralTypeNode(type) && ts.isStringLiteral(type.literal))
      return type.literal.text;
  }
  return undefined;
}

function refName(node: ts.TypeNode): string | undefined {
  return ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName)
    ? node.typeName.text
    : undefined;
}

/** A TS field type as a GraphQL type reference: `Maybe<Array<Scalars["String"]>>` → `[String!]`. */
function graphqlType(node: ts.TypeNode, uses: Set<string>): string {
  let nullable = false;
  let inner = node;
  const wrapper = refName(inner);
  if ((wrapper === 'Maybe' || wrapper === 'InputMaybe') && ts.isTypeReferenceNode(inner)) {
    nullable = true;
    inner = inner.typeArguments![0]!;
  }
  let named: string;
  if (ts.isTypeReferenceNode(inner) && refName(inner) === 'Array') {
    named = `[${graphqlType(inner.typeArguments![0]!, uses)}]`;
  } else if (ts.isIndexedAccessTypeNode(inner)) {
    // Scalars["DateTime"]
    const index = inner.indexType;
    if (!ts.isLiteralTypeNode(index) || !ts.isStringLiteral(index.literal))
      throw new Error(`unexpected scalar reference ${inner.getText()}`);
    named = index.literal.text;
    uses.add(named);
  } else {
    const name = refName(inner);
    if (name === undefined) throw new Error(`unexpected field type ${inner.getText()}`);
    named = name;
    uses.add(named);
  }
  return nullable ? named : `${named}!`;
}

function fieldsOf(literal: ts.TypeLiteralNode): { name: string; type: ts.TypeNode }[] {
  return literal.members.flatMap((member) =>
    ts.isPropertySignature(member) &&
    member.type !== undefined &&
    member.name.getText() !== '__typename'
      ? [{ name: member.name.getText().replace(/^"|"$/g, ''), type: member.type }]
      : [],
  );
}

function capitalize(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** Linear's schema in SDL, from the installed SDK's declarations. */
export function linearSdl(): string {
  const file = declarationsFile();
  const source = ts.createSourceFile(
    file,
    readFileSync(file, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const aliases = new Map<string, Alias>();
  const enums = new Map<string, string[]>();
  let scalars: string[] = [];
  for (const statement of source.statements) {
    if (ts.isTypeAliasDeclaration(statement)) {
      const name = statement.name.text;
      if (name === 'Scalars' && ts.isTypeLiteralNode(statement.type))
        scalars = fieldsOf(statement.type).map((f) => f.name);
      else aliases.set(name, { name, node: statement.type });
    } else if (ts.isEnumDeclaration(statement)) {
      enums.set(
        statement.name.text,
        statement.members.map((m) =>
          m.initializer !== undefined && ts.isStringLiteral(m.initializer)
            ? m.initializer.text
            : m.name.getText(),
        ),
      );
    }
  }

  // 1. Object types name themselves in __typename; what they intersect with are interfaces.
  const kinds = new Map<string, Kind>();
  for (const alias of aliases.values()) {
    const literal = literalOf(alias.node);
    if (literal !== undefined && typename(literal) === alias.name) {
      kinds.set(alias.name, 'object');
      if (ts.isIntersectionTypeNode(alias.node))
        for (const part of alias.node.types) {
          const name = refName(part);
          if (name !== undefined) kinds.set(name, 'interface');
        }
    }
  }
  // 2. Unions: an alias of object types only.
  for (const alias of aliases.values())
    if (
      ts.isUnionTypeNode(alias.node) &&
      alias.node.types.every((t) => kinds.get(refName(t) ?? '') === 'object')
    )
      kinds.set(alias.name, 'union');
  const argsByLowerName = new Map<string, Alias>();
  for (const alias of aliases.values())
    if (alias.name.endsWith('Args') && !kinds.has(alias.name))
      argsByLowerName.set(alias.name.toLowerCase(), alias);
  // 3. Arguments of each field of the objects and interfaces; 4. inputs, reached from them.
  const pendingInputs: string[] = [];
  const lines: string[] = [];
  const emitFields = (typeName: string, literal: ts.TypeLiteralNode) => {
    const out: string[] = [];
    for (const field of fieldsOf(literal)) {
      const uses = new Set<string>();
      const type = graphqlType(field.type, uses);
      // codegen changes the case of acronyms (attachmentsForURL → QueryAttachmentsForUrlArgs).
      const argsName = `${typeName}${capitalize(field.name)}Args`.toLowerCase();
      const argsAlias = argsByLowerName.get(argsName);
      let args = '';
      if (argsAlias !== undefined && ts.isTypeLiteralNode(argsAlias.node)) {
        const argUses = new Set<string>();
        const list = fieldsOf(argsAlias.node).map(
          (a) => `${a.name}: ${graphqlType(a.type, argUses)}`,
        );
        for (const used of argUses) pendingInputs.push(used);
        if (list.length > 0) args = `(${list.join(', ')})`;
      }
      out.push(`  ${field.name}${args}: ${type}`);
    }
    return out;
  };
  for (const [name, kind] of kinds) {
    if (kind !== 'object' && kind !== 'interface') continue;
    const alias = aliases.get(name);
    if (alias === undefined) throw new Error(`interface ${name} is not declared`);
    const literal = literalOf(alias.node);
    if (literal === undefined) throw new Error(`${name} has no fields`);
    const implemented = ts.isIntersectionTypeNode(alias.node)
      ? alias.node.types.flatMap((t) => (refName(t) === undefined ? [] : [refName(t)!]))
      : [];
    const head = `${kind === 'object' ? 'type' : 'interface'} ${name}${
      implemented.length > 0 ? ` implements ${implemented.join(' & ')}` : ''
    }`;
    lines.push(`${head} {`, ...emitFields(name, literal), '}');
  }
  for (const [name, kind] of kinds)
    if (kind === 'union') {
      const node = aliases.get(name)!.node as ts.UnionTypeNode;
      lines.push(`union ${name} = ${node.types.map((t) => refName(t)).join(' | ')}`);
    }
  const inputs = new Set<string>();
  while (pendingInputs.length > 0) {
    const name = pendingInputs.pop()!;
    if (inputs.has(name) || enums.has(name) || scalars.includes(name) || kinds.has(name)) continue;
    const alias = aliases.get(name);
    if (alias === undefined || !ts.isTypeLiteralNode(alias.node))
      throw new Error(`input ${name} is not declared as an object type`);
    inputs.add(name);
    const uses = new Set<string>();
    const fields = fieldsOf(alias.node).map((f) => `  ${f.name}: ${graphqlType(f.type, uses)}`);
    for (const used of uses) pendingInputs.push(used);
    lines.push(`input ${name} {`, ...fields, '}');
  }
  for (const [name, values] of enums) lines.push(`enum ${name} { ${values.join(' ')} }`);
  for (const name of scalars) if (!BUILT_IN_SCALARS.has(name)) lines.push(`scalar ${name}`);
  return lines.join('\n');
}

let built: GraphQLSchema | undefined;

/** The schema, built once per process (about a second). */
export function linearSchema(): GraphQLSchema {
  built ??= buildSchema(linearSdl(), { assumeValidSDL: false });
  return built;
}
