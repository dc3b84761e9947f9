import path from 'node:path';
import type { Config } from '../../config/config.js';
import { ConfigError, loadConfig } from '../../config/load-config.js';
import { standardWorkflowEnvironment } from '../../engine/workflow-environment.js';
import { WorkflowRegistry } from '../../engine/workflow-registry.js';
import { formatProblem } from '../../errors/problem.js';
import { databaseOptions } from '../../app/from-config.js';
import { jobQueueFor } from '../../app/job-queue-from-config.js';
import { setUpPlugins } from '../../app/plugins.js';
import { PLUGIN_TYPES } from '../../plugins/action-signature.js';
import { GLOBAL_SCOPE } from '../../plugins/plugin-registry.js';
import { Guards } from '../../resilience/guards.js';
import { createStore } from '../../store/store.js';
import type { Logger } from '../../log/create-logger.js';
import type { Database } from '../../store/database.js';
import { migrate, migrationStatus } from '../../store/migrate.js';
import { openDatabase } from '../../store/open-store.js';
import { serverVersion } from '../../store/server-info.js';
import { hasFailure, renderChecks, type Check } from '../check-report.js';
import { EXIT, type CliIo, type ExitCode } from '../cli-io.js';
import { describeFailure, loggerFor, type GlobalOptions } from '../command-support.js';
import { integrationChecks } from '../integration-checks.js';
import { aiProviderChecks } from './ai-checks.js';

export interface ConfigCheckOptions extends GlobalOptions {
  readonly migrate?: boolean;
  readonly json?: boolean;
}

export async function runConfigCheck(io: CliIo, options: ConfigCheckOptions): Promise<ExitCode> {
  const checks: Check[] = [];
  let config: Config;
  try {
    config = loadConfig({ env: io.env, cwd: io.cwd, configFile: options.config });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems)
      checks.push({ name: 'config', status: 'fail', detail: formatProblem(problem) });
    return report(io, options, checks);
  }
  checks.push(settingsCheck(config, io.cwd));
  checks.push(await workflowsCheck(config, io.cwd));
  checks.push(
    ...(await databaseChecks(config, loggerFor(config, 'warn'), options.migrate === true)),
  );
  checks.push(...integrationChecks(config, io.env.PATH));
  checks.push(...(await aiProviderChecks(config, loggerFor(config, 'warn'))));
  return report(io, options, checks);
}

function report(io: CliIo, options: ConfigCheckOptions, checks: readonly Check[]): ExitCode {
  const ok = !hasFailure(checks);
  if (options.json === true) {
    io.stdout.write(`${JSON.stringify({ ok, checks }, null, 2)}\n`);
  } else if (!ok && checks.every((c) => c.name === 'config')) {
    // Invalid configuration: one line per problem, nothing else.
    for (const check of checks) io.stderr.write(`config error: ${check.detail}\n`);
  } else {
    io.stdout.write(renderChecks('aidev configuration check', checks));
  }
  return ok ? EXIT.ok : EXIT.failed;
}

async function workflowsCheck(config: Config, cwd: string): Promise<Check> {
  try {
    const registry = await WorkflowRegistry.load(
      config.workflows.directory,
      standardWorkflowEnvironment(config.workflows.root),
    );
    const names = registry.names();
    return {
      name: 'workflows',
      status: names.length > 0 ? 'ok' : 'warn',
      detail: `${names.length} in ${path.relative(cwd, config.workflows.directory) || '.'}: ${names.join(', ') || 'none'}`,
    };
  } catch (error) {
    return {
      name: 'workflows',
      status: 'fail',
      detail: describeFailure(error).replace(/\n/g, '; '),
    };
  }
}

function settingsCheck(config: Config, cwd: string): Check {
  const file =
    config.configFile === undefined
      ? 'no settings file (defaults)'
      : path.relative(cwd, config.configFile) || config.configFile;
  const count = config.envSet.length;
  return {
    name: 'config',
    status: 'ok',
    detail: `${file}; ${count} aidev environment variable${count === 1 ? '' : 's'} set`,
  };
}

async function databaseChecks(
  config: Config,
  logger: Logger,
  applyMigrations: boolean,
): Promise<Check[]> {
  const checks: Check[] = [];
  let db: Database | undefined;
  let stage = 'database';
  try {
    db = await openDatabase({ ...databaseOptions(config, logger), poolSize: 2 });
    checks.push({
      name: 'database',
      status: 'ok',
      detail: `${db.describe()}; ${await serverVersion(db)}`,
    });
    stage = 'schema';
    const status = await migrationStatus(db);
    let current = status.pending.length === 0;
    if (!current && applyMigrations) {
      const applied = await migrate(db);
      current = true;
      checks.push({
        name: 'schema',
        status: 'ok',
        detail: `applied ${applied.length} migration(s): ${applied.join(', ')}`,
      });
    } else if (!current) {
      checks.push(
        pendingCheck(
          status.pending.map((m) => m.id),
          config.database.autoMigrate,
        ),
      );
    } else {
      checks.push({
        name: 'schema',
        status: 'ok',
        detail: `up to date (${status.applied.length} migrations)`,
      });
    }
    stage = 'jobs';
    checks.push(
      current
        ? await jobsCheck(config, db, logger)
        : {
            name: 'jobs',
            status: 'skip',
            detail: `not checked: its table comes with the ${status.pending.length} pending migration(s) (apply them with --migrate)`,
          },
    );
    // The plugins need no schema (issue 16: they went unchecked while migrations were
    // pending), except the channels' own configurations, read once the schema is current.
    stage = 'plugins';
    checks.push(...(await pluginChecks(config, db, logger, !current)));
    if (!current && status.applied.length > 0)
      checks.push({
        name: 'channel plugins',
        status: 'skip',
        detail:
          'not checked: channels’ own plugin configurations are read once the migrations are applied',
      });
  } catch (error) {
    checks.push({ name: stage, status: 'fail', detail: describeFailure(error) });
  } finally {
    await db?.close().catch(() => undefined);
  }
  return checks;
}

function pendingCheck(ids: readonly string[], autoMigrate: boolean): Check {
  const list = `${ids.length} pending migration(s): ${ids.join(', ')}`;
  return autoMigrate
    ? {
        name: 'schema',
        status: 'warn',
        detail: `${list}; applied when a worker or server starts, or now with --migrate`,
      }
    : {
        name: 'schema',
        status: 'fail',
        detail: `${list}; apply them with --migrate (database.auto_migrate is false)`,
      };
}

async function jobsCheck(config: Config, db: Database, logger: Logger): Promise<Check> {
  const queue = jobQueueFor(config, db, logger);
  const stats = await queue.stats();
  return {
    name: 'jobs',
    status: 'ok',
    detail: `${stats.queued} queued, ${stats.running} running, ${stats.scheduled} scheduled, ${stats.failed} failed`,
  };
}

/** Each configured plugin, connected and asked for its health once (no retries: a check). */
async function pluginChecks(
  config: Config,
  db: Database,
  logger: Logger,
  schemaPending: boolean,
): Promise<Check[]> {
  // Each failure is one line of the report; the plugins' own error logs would repeat it.
  const quiet = logger.child({}, { level: 'fatal' });
  const guards = new Guards(quiet, {}, { retries: 0 });
  const { registry, skipped } = await setUpPlugins({
    config,
    store: createStore(db),
    logger: quiet,
    guards,
    schemaPending,
    reconnect: false,
  });
  try {
    const checked = (await registry.health()).map((health): Check => ({
      name: health.scope === GLOBAL_SCOPE ? health.type : `${health.type} (${health.scope})`,
      status: health.ok ? 'ok' : 'fail',
      detail: `${health.name}: ${health.detail}`,
    }));
    const notChecked = skipped.map((definition): Check => ({
      name: definition.type,
      status: 'skip',
      detail: `${definition.name}: not checked: it keeps its data in aidev's database, whose migrations are pending`,
    }));
    // In the plugin types' order, as the settings file lists them.
    const order = (check: Check) => PLUGIN_TYPES.findIndex((t) => check.name.startsWith(t));
    return [...checked, ...notChecked].sort((a, b) => order(a) - order(b));
  } finally {
    await registry.disconnectAll();
    guards.shutdown();
  }
}
