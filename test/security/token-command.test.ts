import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { beforeAll, expect, inject, it } from 'vitest';
import type { CliIo, ExitCode } from '../../src/cli/cli-io.js';
import { registerToken } from '../../src/cli/commands/token.js';
import { hashToken } from '../../src/security/api-tokens.js';
import { describeEachBackend } from '../support/backends.js';
import { REPO_ROOT } from '../support/child-process.js';

describeEachBackend('aidev token', (database) => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(inject('scratchDir'), 'token-'));
  });

  /** `aidev token …` in this process, against the suite's database. */
  async function token(
    ...args: string[]
  ): Promise<{ code: ExitCode; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    let code: ExitCode = 0;
    const io: CliIo = {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env: { AIDEV_DATA_DIR: dataDir, ...database().env },
      cwd: REPO_ROOT,
      shutdownRequested: new Promise(() => undefined),
    };
    const program = new Command('aidev').exitOverride();
    registerToken(program, io, (c) => (code = c));
    await program.parseAsync(['token', ...args], { from: 'user' });
    return { code, stdout, stderr };
  }

  it('prints a new token once and stores only its hash', async () => {
    const created = await token('create', '--name', 'ci', '--role', 'operator');
    expect(created.code).toBe(0);
    const secret = created.stdout.split('\n')[0] ?? '';
    expect(secret).toMatch(/^aidev_[\w-]{43}$/);
    expect(created.stdout).toContain('it is not shown again');
    const [stored] = await database().store.tokens.list();
    expect(stored).toMatchObject({ name: 'ci', role: 'operator' });
    expect(stored?.createdBy).toMatch(/^cli:/);
    const row = await database().db.query<{ token_hash: string }>(
      'SELECT token_hash FROM api_tokens',
    );
    expect(row.rows[0]?.token_hash).toBe(hashToken(secret));
    const listed = await token('list');
    expect(listed.stdout).toContain('ci');
    expect(listed.stdout).toContain(stored?.tokenPrefix ?? '?');
    expect(listed.stdout).not.toContain(secret);
  });

  it('revokes a token by id, and says so when there is nothing to revoke', async () => {
    const created = JSON.parse(
      (await token('create', '--name', 'temp', '--role', 'viewer', '--json')).stdout,
    ) as {
      id: string;
    };
    expect((await token('revoke', created.id)).code).toBe(0);
    expect(JSON.parse((await token('list', '--json')).stdout)).toContainEqual(
      expect.objectContaining({
        id: created.id,
        revoked_at: expect.any(String) as unknown as string,
      }),
    );
    const again = await token('revoke', created.id);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('there is no active token');
  });

  it('refuses an unknown role or expiry, naming the option', async () => {
    const role = await token('create', '--name', 'x', '--role', 'root');
    expect(role).toMatchObject({ code: 2 });
    expect(role.stderr).toContain('--role: expected one of viewer, operator, admin, found "root"');
    const days = await token(
      'create',
      '--name',
      'x',
      '--role',
      'viewer',
      '--expires-in-days',
      'soon',
    );
    expect(days.stderr).toContain('--expires-in-days');
  });
});
