/** `skip`: not checked (something else has to happen first, said in the detail). */
export type CheckStatus = 'ok' | 'warn' | 'fail' | 'info' | 'skip';

export interface Check {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

const MARK: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗', info: '·', skip: '-' };

export function renderChecks(title: string, checks: readonly Check[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.map((c) => `  ${MARK[c.status]} ${c.name.padEnd(width)}  ${c.detail}`);
  const failed = checks.filter((c) => c.status === 'fail').length;
  const skipped = checks.filter((c) => c.status === 'skip').length;
  // "All checks passed" only when every check ran: one not run must not look like a pass.
  const summary =
    failed > 0
      ? `${failed} check${failed === 1 ? '' : 's'} failed.`
      : skipped > 0
        ? `No check failed; ${skipped} not run (marked -).`
        : 'All checks passed.';
  return `${title}\n${lines.join('\n')}\n${summary}\n`;
}

export function hasFailure(checks: readonly Check[]): boolean {
  return checks.some((c) => c.status === 'fail');
}
