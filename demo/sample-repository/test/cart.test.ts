import assert from 'node:assert/strict';
import { test } from 'node:test';
import { orderTotal } from '../src/cart.js';

const mug = { sku: 'mug', unitPrice: 1250, quantity: 1 };
const tea = { sku: 'tea', unitPrice: 800, quantity: 1 };

test('an empty cart costs nothing', () => {
  assert.equal(orderTotal([]), 0);
});

test('a cart costs the sum of its lines', () => {
  assert.equal(orderTotal([mug, tea]), 2050);
});

test('a line costs its unit price times its quantity', () => {
  assert.equal(
    orderTotal([
      { ...mug, quantity: 2 },
      { ...tea, quantity: 3 },
    ]),
    4900,
  );
});

test('a discount applies to the whole order', () => {
  assert.equal(orderTotal([{ ...mug, quantity: 2 }], 10), 2250);
});

test('a discount over 100 % is refused', () => {
  assert.throws(() => orderTotal([mug], 120), RangeError);
});
