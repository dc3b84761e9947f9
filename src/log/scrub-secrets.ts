const CENSOR = '[REDACTED]';

/** Shorter values are too likely to occur by chance to be replaced everywhere. */
const MIN_SECRET_LENGTH = 4;
/** Shorter base64 fragments of a secret are too likely to occur in other base64 text. */
const MIN_BASE64_FRAGMENT = 6;

/**
 * The secret values this process knows, whatever their source (environment variables,
 * credentials opened from the database), and every form in which a vendor or a library may
 * echo one: raw, JSON-escaped, URL- and form-encoded, and base64 — also inside a longer
 * base64 text such as a Basic `Authorization` header (`base64(email:token)`).
 */
export class SecretRegistry {
  private readonly secrets = new Set<string>();
  private needles: readonly string[] = [];

  /** Adds secrets; every scrub from now on replaces them and their encoded forms. */
  add(values: Iterable<string>): void {
    let added = false;
    for (const value of values) {
      if (value.length < MIN_SECRET_LENGTH || this.secrets.has(value)) continue;
      this.secrets.add(value);
      added = true;
    }
    if (!added) return;
    const needles = new Set<string>();
    for (const secret of this.secrets) for (const form of encodedForms(secret)) needles.add(form);
    // Longest first, so a secret that contains another is replaced whole.
    this.needles = [...needles].sort((a, b) => b.length - a.length);
  }

  /**
   * Forgets every secret: for a process that goes on to unrelated work with other secrets (a
   * test runner's worker between test files). aidev itself never forgets one.
   */
  clear(): void {
    this.secrets.clear();
    this.needles = [];
  }

  /** `text` with every known secret, in any of its forms, replaced by [REDACTED]. */
  scrub(text: string): string {
    let out = text;
    for (const needle of this.needles) {
      if (out.includes(needle)) out = out.split(needle).join(CENSOR);
    }
    return out;
  }
}

/**
 * The one registry every log line, stored error and plugin health text is scrubbed with.
 * Process-wide on purpose: a credential opened anywhere must be hidden everywhere.
 */
export const processSecrets = new SecretRegistry();

/** Makes `values` secrets for every scrub in this process (see {@link processSecrets}). */
export function registerSecrets(values: Iterable<string>): void {
  processSecrets.add(values);
}

/** `text` with every secret this process knows replaced, for messages that leave aidev. */
export function scrubSecrets(text: string): string {
  return processSecrets.scrub(text);
}

/**
 * Returns the scrubber log lines go through: `secrets` join the process's registry, and the
 * function consults the registry as it is at each call, so credentials opened later count.
 */
export function createScrubber(secrets: readonly string[]): (line: string) => string {
  processSecrets.add(secrets);
  return scrubSecrets;
}

function encodedForms(secret: string): string[] {
  const forms = [
    secret,
    JSON.stringify(secret).slice(1, -1),
    encodeURIComponent(secret),
    new URLSearchParams({ s: secret }).toString().slice(2),
  ];
  for (const fragment of base64Fragments(secret)) {
    forms.push(fragment, encodeURIComponent(fragment));
    forms.push(fragment.replaceAll('+', '-').replaceAll('/', '_'));
  }
  return forms;
}

/**
 * The base64 characters that encode `secret` alone, at each of its three possible offsets
 * in a longer text: base64 maps 3 bytes to 4 characters, so a secret preceded by k bytes
 * (mod 3) starts mid-group. The characters that also carry bits of the neighbours are left
 * out; what remains appears in the encoding of any text that contains the secret.
 */
function base64Fragments(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const fragments: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString('base64');
    const first = Math.ceil((8 * offset) / 6);
    const end = Math.floor((8 * (offset + bytes.length)) / 6);
    const fragment = encoded.slice(first, end);
    if (fragment.length >= MIN_BASE64_FRAGMENT) fragments.push(fragment);
  }
  return fragments;
}
