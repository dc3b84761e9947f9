import { AppError } from '../errors/app-error.js';

/** Budgets and reports count spend per UTC calendar month, written `YYYY-MM`. */
export type Month = string;

const MONTH_PATTERN = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function monthRange(month: Month): { start: Date; end: Date } {
  const match = MONTH_PATTERN.exec(month);
  if (match === null) {
    throw new AppError(
      'invalid_input',
      `month: expected a month as YYYY-MM such as 2026-11, found ${JSON.stringify(month)}`,
    );
  }
  const year = Number(match[1]);
  const index = Number(match[2]) - 1;
  return { start: new Date(Date.UTC(year, index, 1)), end: new Date(Date.UTC(year, index + 1, 1)) };
}

export function monthOf(date: Date): Month {
  return `${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, '0')}`;
}
