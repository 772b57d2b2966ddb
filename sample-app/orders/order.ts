/** An order as the sample system stores it. */
export interface Order {
  id: string;
  sku: string;
  quantity: number;
  unitPrice: number;
  total: number;
  createdAt: string;
}

/** What `POST /orders` accepts. */
export interface PlaceOrder {
  sku: string;
  quantity: number;
}

/** Message patterns shared by the gateway, the orders service and the notifications consumer. */
export const PATTERNS = {
  placeOrder: 'orders.place',
  getOrder: 'orders.get',
  orderCreated: 'orders.created',
} as const;
