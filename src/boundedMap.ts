/**
 * Maps used as small bounded caches, most recently set last (a Map keeps insertion order).
 */

/**
 * Put `key` last in `map` (the most recently used) and drop the oldest entries beyond `max`,
 * handing each to `dropped` (to wipe secrets, or forget what belongs to it).
 *
 * @example setNewest(sessions, id, state, 64, (oldId) => parts.delete(oldId))
 */
export function setNewest<K, V>(map: Map<K, V>, key: K, value: V, max: number, dropped: (key: K, value: V) => void = () => {}): void {
  map.delete(key);
  map.set(key, value);
  while (map.size > max) {
    const [oldest, old] = map.entries().next().value as [K, V];
    map.delete(oldest);
    dropped(oldest, old);
  }
}
