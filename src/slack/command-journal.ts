import type { Logger } from '../log/create-logger.js';
import type { SlackCommandRecord } from '../store/repositories/slack-commands.js';
import type { Store } from '../store/store.js';

interface Pending {
  readonly command: SlackCommandRecord;
  resolve(isNew: boolean): void;
  reject(error: unknown): void;
}

/**
 * Records slash commands durably before Slack gets its answer, many at a time: commands that
 * arrive within a couple of milliseconds of each other share one INSERT (a group commit), so a
 * burst of commands costs a few round trips to the database instead of one each.
 */
export class CommandJournal {
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly options: { windowMs?: number; maxBatch?: number } = {},
  ) {}

  /** Resolves once the command is committed: true if new, false for a retry of one seen before. */
  record(command: SlackCommandRecord): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ command, resolve, reject });
      if (this.pending.length >= (this.options.maxBatch ?? 500)) void this.flush();
      else this.timer ??= setTimeout(() => void this.flush(), this.options.windowMs ?? 2);
    });
  }

  private async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    // A retry may arrive in the same batch as its original: the first one counts.
    const first = new Map<string, Pending>();
    for (const p of batch) if (!first.has(p.command.triggerId)) first.set(p.command.triggerId, p);
    const settle = (fresh: ReadonlySet<string>, only?: Pending) => {
      for (const p of batch)
        if (only === undefined || p.command.triggerId === only.command.triggerId)
          p.resolve(first.get(p.command.triggerId) === p && fresh.has(p.command.triggerId));
    };
    try {
      settle(await this.store.slackCommands.recordMany([...first.values()].map((p) => p.command)));
    } catch {
      // One command the database refuses must not fail the others of its batch: each is
      // recorded on its own, and only the ones that fail again are refused.
      await Promise.all([...first.values()].map((p) => this.recordAlone(p, batch, settle)));
    }
  }

  private async recordAlone(
    p: Pending,
    batch: readonly Pending[],
    settle: (fresh: ReadonlySet<string>, only: Pending) => void,
  ): Promise<void> {
    try {
      settle(await this.store.slackCommands.recordMany([p.command]), p);
    } catch (error) {
      this.log.error({ err: error }, 'could not record a Slack command');
      for (const q of batch) if (q.command.triggerId === p.command.triggerId) q.reject(error);
    }
  }
}
