import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatPrice } from '../src/money.js';

test('formats cents as dollars', () => {
  assert.equal(formatPrice(1250), '$12.50');
  assert.equal(formatPrice(5), '$0.05');
  assert.equal(formatPrice(-300), '-$3.00');
});
