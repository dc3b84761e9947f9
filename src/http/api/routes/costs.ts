import { z } from 'zod';
import type { App } from '../../../app/create-app.js';
import { budgetReport } from '../../../costs/budget-report.js';
import { COST_GROUPS, type CostLine } from '../../../store/repositories/cost-entries.js';
import { defineRoute, type ApiRoute } from '../route.js';
import { idText } from '../schemas.js';

const usd = z.string().describe('dollars, as a decimal string');

const lineSchema = z
  .object({
    key: z.string().nullable().describe('the channel, user, model or run'),
    usd,
    calls: z.number().int(),
    input_tokens: z.number().int(),
    output_tokens: z.number().int(),
    cache_write_tokens: z.number().int(),
    cache_read_tokens: z.number().int(),
  })
  .meta({ id: 'CostLine' });

const reportSchema = z
  .object({
    month: z.string(),
    total_usd: usd,
    forecast_usd: usd.nullable().describe('at this pace, the whole month (current month only)'),
    budgets: z.array(
      z.object({
        scope: z.string(),
        scope_id: z.string(),
        limit_usd: usd,
        spent_usd: usd,
        percent: z.number().int(),
      }),
    ),
    group_by: z.enum(COST_GROUPS).nullable(),
    lines: z
      .array(lineSchema)
      .describe('the spend by group_by, largest first (by model without it)'),
  })
  .meta({ id: 'CostReport' });

const costsQuery = z.strictObject({
  month: z
    .string()
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { error: 'expected a month as YYYY-MM such as 2026-11' })
    .optional()
    .describe('default: this month (UTC)'),
  channel: idText.optional(),
  user: idText.optional(),
  group_by: z.enum(COST_GROUPS).optional(),
  limit: z.coerce.number().int().min(1).max(1_000).optional(),
});

function lineView(line: CostLine) {
  return {
    key: line.key,
    usd: line.usd,
    calls: line.calls,
    input_tokens: line.inputTokens,
    output_tokens: line.outputTokens,
    cache_write_tokens: line.cacheWriteTokens,
    cache_read_tokens: line.cacheReadTokens,
  };
}

export function costRoutes(app: App): ApiRoute[] {
  return [
    defineRoute({
      method: 'GET',
      url: '/costs',
      role: 'viewer',
      tag: 'costs',
      summary: 'A month’s spend, against its budgets, grouped by channel, user, model or run',
      query: costsQuery,
      responses: { 200: { description: 'the report', schema: reportSchema } },
      async handler({ query }) {
        const scope = {
          ...(query.channel === undefined ? {} : { channelId: query.channel }),
          ...(query.user === undefined ? {} : { userId: query.user }),
        };
        const report = await budgetReport(app.store, {
          ...scope,
          ...(query.month === undefined ? {} : { month: query.month }),
        });
        const lines =
          query.group_by === undefined
            ? report.byModel
            : await app.store.costs.report({
                month: report.month,
                groupBy: query.group_by,
                limit: query.limit ?? 100,
                ...scope,
              });
        return {
          month: report.month,
          total_usd: report.totalUsd,
          forecast_usd: report.forecastUsd,
          budgets: report.budgets.map((b) => ({
            scope: b.scope,
            scope_id: b.scopeId,
            limit_usd: b.limitUsd,
            spent_usd: b.spentUsd,
            percent: b.percent,
          })),
          group_by: query.group_by ?? null,
          lines: lines.map(lineView),
        };
      },
    }),
  ];
}
