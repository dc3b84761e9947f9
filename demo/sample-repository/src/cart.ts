/** One line of an order: a product, its price in cents, and how many the customer buys. */
export interface LineItem {
  readonly sku: string;
  readonly unitPrice: number;
  readonly quantity: number;
}

/** The order total in cents: every line's price times its quantity, less the discount. */
export function orderTotal(items: readonly LineItem[], discountPercent = 0): number {
  if (discountPercent < 0 || discountPercent > 100) {
    throw new RangeError(`a discount is between 0 and 100 %, not ${discountPercent}`);
  }
  const subtotal = items.reduce((sum, item) => sum + item.unitPrice, 0);
  return Math.round(subtotal * (1 - discountPercent / 100));
}
