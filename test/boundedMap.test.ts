import { describe, expect, it } from 'vitest';
import { setNewest } from '../src/boundedMap.js';

describe('setNewest', () => {
  it('keeps the most recently set entries, drops the oldest beyond the bound and hands them over', () => {
    const map = new Map<string, number>();
    const dropped: [string, number][] = [];
    for (const [k, v] of [['a', 1], ['b', 2], ['c', 3]] as const) setNewest(map, k, v, 3, (key, value) => dropped.push([key, value]));
    // setting an existing key again makes it the newest
    setNewest(map, 'a', 10, 3, (key, value) => dropped.push([key, value]));
    expect([...map]).toEqual([['b', 2], ['c', 3], ['a', 10]]);
    setNewest(map, 'd', 4, 3, (key, value) => dropped.push([key, value]));
    expect([...map.keys()]).toEqual(['c', 'a', 'd']);
    expect(dropped).toEqual([['b', 2]]);
    // without a callback, and with a smaller bound than the map holds
    setNewest(map, 'e', 5, 1);
    expect([...map]).toEqual([['e', 5]]);
  });
});
