const CENSOR = '[REDACTED]';

/**
 * Returns a function that replaces every occurrence of a secret in a serialized log line,
 * including its JSON-escaped form, so that a token quoted inside an error message or a URL
 * never reaches the output.
 */
export function createScrubber(secrets: readonly string[]): (line: string) => string {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    needles.add(secret);
    needles.add(JSON.stringify(secret).slice(1, -1));
    needles.add(encodeURIComponent(secret));
  }
  // Longest first, so a secret that contains another is replaced whole.
  const ordered = [...needles].sort((a, b) => b.length - a.length);
  if (ordered.length === 0) return (line) => line;
  return (line) => {
    let out = line;
    for (const needle of ordered) {
      if (out.includes(needle)) out = out.split(needle).join(CENSOR);
    }
    return out;
  };
}
