export type CheckStatus = 'ok' | 'warn' | 'fail' | 'info';

export interface Check {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
}

const MARK: Record<CheckStatus, string> = { ok: '✓', warn: '!', fail: '✗', info: '·' };

export function renderChecks(title: string, checks: readonly Check[]): string {
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.map((c) => `  ${MARK[c.status]} ${c.name.padEnd(width)}  ${c.detail}`);
  const failed = checks.filter((c) => c.status === 'fail').length;
  const summary =
    failed === 0 ? 'All checks passed.' : `${failed} check${failed === 1 ? '' : 's'} failed.`;
  return `${title}\n${lines.join('\n')}\n${summary}\n`;
}

export function hasFailure(checks: readonly Check[]): boolean {
  return checks.some((c) => c.status === 'fail');
}
