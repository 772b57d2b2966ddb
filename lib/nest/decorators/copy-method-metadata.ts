// Properties a function always owns; everything else (metadata, ad-hoc props) is copied.
const INTRINSIC = new Set<PropertyKey>(['name', 'length', 'prototype', 'arguments', 'caller']);

/**
 * Copies every `reflect-metadata` entry and every own property of `from` onto `to`, and
 * gives `to` the same `name` and `length`, so guards, event emitters, microservice and
 * Swagger explorers reading metadata off the method see the wrapper exactly like the original.
 * `to` also inherits from `from`: `Reflect.getMetadata` walks the prototype chain, so
 * metadata a later decorator writes onto the original function (e.g. through `target[key]`,
 * which still holds the original while TypeScript applies a decorator list) is found too.
 */
export function copyMethodMetadata(from: Function, to: Function): void {
  Object.setPrototypeOf(to, from);
  Object.defineProperty(to, 'name', { value: from.name, configurable: true });
  Object.defineProperty(to, 'length', { value: from.length, configurable: true });
  for (const key of Reflect.ownKeys(from)) {
    if (INTRINSIC.has(key)) continue;
    const descriptor = Object.getOwnPropertyDescriptor(from, key);
    if (descriptor !== undefined) Object.defineProperty(to, key, descriptor);
  }
  const reflect = Reflect as unknown as {
    getOwnMetadataKeys?: (target: object) => unknown[];
    getOwnMetadata?: (key: unknown, target: object) => unknown;
    defineMetadata?: (key: unknown, value: unknown, target: object) => void;
  };
  if (typeof reflect.getOwnMetadataKeys !== 'function' || !reflect.getOwnMetadata || !reflect.defineMetadata) return;
  for (const key of reflect.getOwnMetadataKeys(from)) {
    reflect.defineMetadata(key, reflect.getOwnMetadata(key, from), to);
  }
}
