/** Parsing of numeric command-line options with errors that name the option. */
import { ConfigError } from '../errors.js';

/** An integer option value. */
export function parseIntOption(name: string, value: string): number {
  const n = Number(value);
  if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new ConfigError(`${name}: expected an integer, got "${value}"`);
  return n;
}

/** A finite number option value. */
export function parseNumberOption(name: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new ConfigError(`${name}: expected a number, got "${value}"`);
  return n;
}

/** MLP hidden sizes like "32" or "32,16". */
export function parseHidden(value: string): number[] {
  const sizes = value.split(',').map((s) => parseIntOption('--hidden', s));
  if (sizes.length < 1 || sizes.length > 2 || sizes.some((h) => h < 1 || h > 1024)) throw new ConfigError(`--hidden: expected 1 or 2 sizes from 1 to 1024, e.g. 32 or 32,16; got "${value}"`);
  return sizes;
}
