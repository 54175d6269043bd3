/**
 * The inner loop of masking, in WebAssembly SIMD: acc ← acc ± a ± b over Z_{2^32}, four words
 * per instruction (i32x4.add / i32x4.sub wrap mod 2^32, which is exactly the ring of
 * secure aggregation). A client adds k + 1 AES-CTR masks to its vector every session and the
 * server removes one self-mask per survivor; in JavaScript that addition costs about 1 ns per
 * word and mask here, the same work in this kernel about 0.1 ns, plus a copy of each keystream
 * into the module's memory (native memcpy), which is still 3 × less in all (bench: see
 * docs/secure-aggregation.md).
 *
 * The module is assembled below from its text, five functions of one loop each:
 *
 *   (func $addAdd (param $dst i32) (param $a i32) (param $b i32) (param $bytes i32)
 *     (block (loop
 *       (br_if 1 (i32.eqz (local.get $bytes)))
 *       (v128.store (local.get $dst)
 *         (i32x4.add (i32x4.add (v128.load (local.get $dst)) (v128.load (local.get $a)))
 *                    (v128.load (local.get $b))))
 *       $dst += 16, $a += 16, $b += 16, $bytes −= 16
 *       (br 0))))
 *
 * `addSub` and `subSub` differ in the two operators; `add` and `sub` take one operand. Lengths
 * are multiples of 16 bytes (the regions are padded; the padding words are never copied out).
 * Its memory holds secrets while a call runs (the client's input and keystreams), so
 * {@link RingKernel.wipe} zeroes every region it used.
 *
 * Every engine Node ≥ 16.4 runs on has WebAssembly SIMD; where it is missing, {@link ringKernel}
 * returns undefined and callers keep their JavaScript loop.
 */

/** Unsigned LEB128 (the WebAssembly encoding of sizes and indices). */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

const op = {
  block: [0x02, 0x40], loop: [0x03, 0x40], end: [0x0b], br: 0x0c, brIf: 0x0d,
  localGet: 0x20, localSet: 0x21, i32Const: 0x41, i32Eqz: 0x45, i32Add: 0x6a, i32Sub: 0x6b,
  // memarg: alignment 2^4 = 16 bytes (a hint), offset 0
  v128Load: [0xfd, 0x00, 0x04, 0x00], v128Store: [0xfd, 0x0b, 0x04, 0x00],
  i32x4Add: [0xfd, ...uleb(174)], i32x4Sub: [0xfd, ...uleb(177)],
};

/** `local += delta`. */
const bump = (local: number, delta: number): number[] => [op.localGet, local, op.i32Const, ...uleb(delta), op.i32Add, op.localSet, local];

/** Body of a loop over 16-byte lanes: dst ← dst op1 a [op2 b]; params (dst, a, b, bytes) or (dst, a, bytes). */
function loopBody(ops: number[][]): number[] {
  const bytesLocal = ops.length + 1;
  const operands = ops.flatMap((o, k) => [op.localGet, k + 1, ...op.v128Load, ...o]);
  const code = [
    0x00, // no locals besides the parameters
    ...op.block, ...op.loop,
    op.localGet, bytesLocal, op.i32Eqz, op.brIf, 1,
    op.localGet, 0, op.localGet, 0, ...op.v128Load, ...operands, ...op.v128Store,
    ...ops.flatMap((_, k) => bump(k + 1, 16)), ...bump(0, 16),
    op.localGet, bytesLocal, op.i32Const, 16, op.i32Sub, op.localSet, bytesLocal,
    op.br, 0,
    ...op.end, ...op.end, ...op.end,
  ];
  return [...uleb(code.length), ...code];
}

const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const vector = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const name = (text: string): number[] => [...uleb(text.length), ...new TextEncoder().encode(text)];

const FUNCTIONS = [
  { name: 'addAdd', ops: [op.i32x4Add, op.i32x4Add] },
  { name: 'addSub', ops: [op.i32x4Add, op.i32x4Sub] },
  { name: 'subSub', ops: [op.i32x4Sub, op.i32x4Sub] },
  { name: 'add', ops: [op.i32x4Add] },
  { name: 'sub', ops: [op.i32x4Sub] },
] as const;

/** The module's binary (WebAssembly 1.0 with the SIMD proposal). */
export function ringKernelBinary(): Uint8Array {
  const i32 = 0x7f;
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    // types: 0 = (i32 i32 i32 i32) → (), 1 = (i32 i32 i32) → ()
    ...section(1, vector([[0x60, 4, i32, i32, i32, i32, 0], [0x60, 3, i32, i32, i32, 0]])),
    ...section(3, vector(FUNCTIONS.map((f) => [f.ops.length === 2 ? 0 : 1]))),
    // one memory, no maximum; grown on demand by the caller
    ...section(5, vector([[0x00, 1]])),
    ...section(7, vector([[...name('memory'), 0x02, 0], ...FUNCTIONS.map((f, k) => [...name(f.name), 0x00, k])])),
    ...section(10, vector(FUNCTIONS.map((f) => loopBody(f.ops as unknown as number[][])))),
  ]);
}

/** Bytes of each of the kernel's three regions (acc, a, b): a chunk of a vector at a time. */
export const RING_CHUNK_BYTES = 128 * 1024;
const PAGE_BYTES = 65_536;

/**
 * The kernel over three regions of its memory: `acc` and two operands, each
 * {@link RING_CHUNK_BYTES} long. Callers copy a chunk of their vector into `acc`, keystream
 * chunks into `a` and `b`, combine, and copy `acc` back (see addMasks in crypto.ts).
 */
export interface RingKernel {
  /** The three regions, as byte views of the module's memory. */
  readonly acc: Uint8Array;
  readonly a: Uint8Array;
  readonly b: Uint8Array;
  /** acc ← acc + sa·a + sb·b over the first `bytes` bytes (rounded up to 16). */
  combine2(sa: 1 | -1, sb: 1 | -1, bytes: number): void;
  /** acc ← acc + sa·a over the first `bytes` bytes (rounded up to 16). */
  combine1(sa: 1 | -1, bytes: number): void;
  /** Zero the first `bytes` bytes of every region (they held an input and keystreams). */
  wipe(bytes: number): void;
}

/** The part of the WebAssembly JS API used here (the project's TypeScript libs leave it out). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  validate(binary: Uint8Array): boolean;
  Module: new (binary: Uint8Array) => object;
  Instance: new (module: object) => { readonly exports: unknown };
}
type Exports = Record<(typeof FUNCTIONS)[number]['name'], (...args: number[]) => void> & { memory: WasmMemory };

function instantiate(): RingKernel | undefined {
  const binary = ringKernelBinary();
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (wasm === undefined || !wasm.validate(binary)) return undefined;
  const exports = new wasm.Instance(new wasm.Module(binary)).exports as Exports;
  const needed = 3 * RING_CHUNK_BYTES;
  exports.memory.grow(Math.ceil(needed / PAGE_BYTES) - exports.memory.buffer.byteLength / PAGE_BYTES);
  const buffer = exports.memory.buffer;
  const [acc, a, b] = [0, 1, 2].map((k) => new Uint8Array(buffer, k * RING_CHUNK_BYTES, RING_CHUNK_BYTES));
  const A = a.byteOffset;
  const B = b.byteOffset;
  const lanes = (bytes: number): number => {
    if (!Number.isInteger(bytes) || bytes < 0 || bytes > RING_CHUNK_BYTES) throw new RangeError(`bytes: expected an integer in [0, ${RING_CHUNK_BYTES}], got ${bytes}`);
    return (bytes + 15) & ~15;
  };
  return {
    acc, a, b,
    combine2(sa, sb, bytes) {
      const n = lanes(bytes);
      if (sa === 1 && sb === 1) exports.addAdd(0, A, B, n);
      else if (sa === 1) exports.addSub(0, A, B, n);
      else if (sb === 1) exports.addSub(0, B, A, n);
      else exports.subSub(0, A, B, n);
    },
    combine1(sa, bytes) {
      (sa === 1 ? exports.add : exports.sub)(0, A, lanes(bytes));
    },
    wipe(bytes) {
      const n = lanes(bytes);
      acc.fill(0, 0, n);
      a.fill(0, 0, n);
      b.fill(0, 0, n);
    },
  };
}

let kernel: RingKernel | undefined | null = null;

/** This thread's kernel (built on first use), or undefined where WebAssembly SIMD is missing. */
export function ringKernel(): RingKernel | undefined {
  if (kernel === null) kernel = instantiate();
  return kernel;
}
