/**
 * Exact money: US dollars as a whole number of 1e-10 dollars (the store's numeric(20, 10)),
 * so that sums and prices never meet a float.
 */
export type Units = bigint;

const SCALE = 10;
const FACTOR = 10n ** BigInt(SCALE);
const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** Parses "3.75" (a price or an amount) into units; more than 10 decimals is an error. */
export function parseUsd(text: string, what = 'amount'): Units {
  const match = DECIMAL.exec(text.trim());
  if (match === null)
    throw new RangeError(
      `${what}: expected a dollar amount such as 3.75, found ${JSON.stringify(text)}`,
    );
  const [, whole = '0', fraction = ''] = match;
  if (fraction.length > SCALE)
    throw new RangeError(`${what}: at most ${SCALE} decimal places, found ${JSON.stringify(text)}`);
  return BigInt(whole) * FACTOR + BigInt(fraction.padEnd(SCALE, '0'));
}

/** Units as a decimal string with all 10 places, as the store keeps it ("0.0001500000"). */
export function formatUsd(units: Units): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const whole = abs / FACTOR;
  const fraction = (abs % FACTOR).toString().padStart(SCALE, '0');
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** For people: dollars with at least two decimals and no trailing zeros beyond them. */
export function displayUsd(units: Units): string {
  const [whole, fraction = ''] = formatUsd(units).split('.');
  return `$${whole ?? '0'}.${fraction.replace(/0+$/, '').padEnd(2, '0')}`;
}

/** For people, rounded: cents from a dollar up ($12.35), otherwise four decimals ($0.0151). */
export function roundUsd(units: Units): string {
  const places = units >= FACTOR ? 2 : 4;
  const step = 10n ** BigInt(SCALE - places);
  const rounded = ((units + step / 2n) / step) * step;
  const [whole, fraction = ''] = formatUsd(rounded).split('.');
  return `$${whole ?? '0'}.${fraction.slice(0, places)}`;
}
