/**
 * A conditional tabular GAN in the style of CTGAN (Xu, Skoularidou, Cuesta-Infante &
 * Veeramachaneni, "Modeling Tabular Data using Conditional GAN", NeurIPS 2019), trained by a
 * node on its own table and asked for rows of one class (bad loans) to oversample it.
 *
 * Pieces: mode-specific normalisation (transform.ts), condition vectors with the class always
 * present and training-by-sampling (sampler.ts), the residual generator (generator.ts) and the
 * PacGAN critic with WGAN-GP (discriminator.ts). One training step is CTGAN's: a critic step on
 * real rows matched to sampled conditions and fake rows for the same conditions, then a
 * generator step minimising −E[D(fake)] plus the cross-entropy that makes the generated
 * category match the condition. Optimiser: Adam, lr 2e-4, β = (0.5, 0.9), weight decay 1e-6,
 * batch 500, as CTGAN. The network sizes (64 instead of 256 wide) and the epochs (60 instead of
 * 300) are cut so that 4,000 rows train in under a minute in single-threaded JavaScript; see
 * docs/synthetic-data.md for what that costs in quality and for the batch size trade-off.
 * Every random draw comes from generators derived from `seed`: same seed, same rows.
 */
import type { Table } from '../data/schema.js';
import { deriveRandom, type Random } from '../math/random.js';
import { Adam } from '../model/optimizer.js';
import { Discriminator } from './discriminator.js';
import { Generator } from './generator.js';
import { crossEntropyWithGrad, type Trainable } from './nn.js';
import { ConditionSampler, type ConditionBatch } from './sampler.js';
import { checkSampleArgs, type Synthesizer } from './synthesizer.js';
import { TabularTransformer } from './transform.js';

/** Options of {@link CtganSynthesizer.fit}; every field but `seed` has a default. */
export interface CtganOptions {
  readonly seed: number | string;
  /** Passes over the data; a pass is ⌊rows / batchSize⌋ steps (at least 1). Default 60 (CTGAN: 300). */
  readonly epochs?: number;
  /** Rows per step, a multiple of `pac` (CTGAN: 500). */
  readonly batchSize?: number;
  /** Adam learning rate of both networks (CTGAN: 2e-4). */
  readonly lr?: number;
  /** Noise dimension (CTGAN: 128). Default 32. */
  readonly noiseSize?: number;
  /** Generator residual block sizes (CTGAN: [256, 256]). Default [64, 64]. */
  readonly generatorHidden?: readonly number[];
  /** Critic hidden sizes (CTGAN: [256, 256]). Default [64, 64]. */
  readonly discriminatorHidden?: readonly number[];
  /** Rows per critic pack (CTGAN: 10). */
  readonly pac?: number;
  /** Batch normalisation in the generator's residual blocks (CTGAN: yes). */
  readonly batchNorm?: boolean;
  /** Critic dropout rate (CTGAN: 0.5). */
  readonly dropout?: number;
  /** Gradient-penalty weight λ (CTGAN: 10). */
  readonly gpWeight?: number;
  /** Modes per numeric column (CTGAN: 10). */
  readonly maxModes?: number;
  /** Called after every epoch with the mean losses of that epoch. */
  readonly onEpoch?: (progress: CtganProgress) => void;
}

/** Progress of training, reported once per epoch. */
export interface CtganProgress {
  readonly epoch: number;
  readonly epochs: number;
  readonly generatorLoss: number;
  readonly discriminatorLoss: number;
}

type Settings = Required<Omit<CtganOptions, 'onEpoch'>>;

const DEFAULTS: Omit<Settings, 'seed'> = {
  epochs: 60, batchSize: 500, lr: 2e-4, noiseSize: 32, generatorHidden: [64, 64], discriminatorHidden: [64, 64], pac: 10, batchNorm: true, dropout: 0.5, gpWeight: 10, maxModes: 10,
};
const BETA1 = 0.5;
const BETA2 = 0.9;
const WEIGHT_DECAY = 1e-6;

/**
 * A fitted conditional tabular GAN.
 *
 * @example
 * const gan = CtganSynthesizer.fit(trainTable, { seed: 42, epochs: 100 });
 * const bads = gan.sample(500, 1, deriveRandom(42, 'sample'));
 */
export class CtganSynthesizer implements Synthesizer {
  readonly method = 'gan' as const;
  readonly transformer: TabularTransformer;
  readonly settings: Settings;
  /** Wall time of {@link fit}, ms. */
  readonly trainMs: number;
  private readonly sampler: ConditionSampler;
  private readonly generator: Generator;

  private constructor(transformer: TabularTransformer, sampler: ConditionSampler, generator: Generator, settings: Settings, trainMs: number) {
    this.transformer = transformer;
    this.sampler = sampler;
    this.generator = generator;
    this.settings = settings;
    this.trainMs = trainMs;
  }

  /** Train on every row of `table` (both classes; the class is a condition). */
  static fit(table: Table, options: CtganOptions): CtganSynthesizer {
    const settings = checkOptions(options);
    if (typeof table !== 'object' || table === null || !(table.label instanceof Uint8Array)) throw new TypeError('table: expected a Table');
    if (table.numRows < 2) throw new RangeError(`table: expected at least 2 rows, got ${table.numRows}`);
    const started = performance.now();
    const seed = settings.seed;
    const transformer = TabularTransformer.fit(table, { maxModes: settings.maxModes, rng: deriveRandom(seed, 'ctgan', 'gmm') });
    const encoded = transformer.transform(table, { rng: deriveRandom(seed, 'ctgan', 'modes') });
    const sampler = new ConditionSampler(transformer, encoded, table.label);
    const init = deriveRandom(seed, 'ctgan', 'init');
    const generator = new Generator({ noiseSize: settings.noiseSize, condSize: sampler.width, hidden: settings.generatorHidden, spans: transformer.spans, batchNorm: settings.batchNorm, rng: init });
    const discriminator = new Discriminator({ rowSize: transformer.width + sampler.width, pac: settings.pac, hidden: settings.discriminatorHidden, dropRate: settings.dropout, rng: init });
    const trainer = new Trainer(settings, sampler, generator, discriminator, encoded.data);
    const rng = deriveRandom(seed, 'ctgan', 'train');
    const stepsPerEpoch = Math.max(1, Math.floor(table.numRows / settings.batchSize));
    for (let epoch = 1; epoch <= settings.epochs; epoch++) {
      let lossD = 0;
      let lossG = 0;
      for (let step = 0; step < stepsPerEpoch; step++) {
        lossD += trainer.discriminatorStep(rng);
        lossG += trainer.generatorStep(rng);
      }
      options.onEpoch?.({ epoch, epochs: settings.epochs, generatorLoss: lossG / stepsPerEpoch, discriminatorLoss: lossD / stepsPerEpoch });
    }
    return new CtganSynthesizer(transformer, sampler, generator, settings, performance.now() - started);
  }

  /** Generate `numRows` rows of class `label`; see {@link Synthesizer.sample}. */
  sample(numRows: number, label: 0 | 1, rng: Random): Table {
    checkSampleArgs(numRows, label);
    const d = this.transformer.width;
    const out = new Float64Array(numRows * d);
    const batchSize = this.settings.batchSize;
    for (let start = 0; start < numRows; start += batchSize) {
      const n = Math.min(batchSize, numRows - start);
      const cond = this.sampler.generation(n, label, rng);
      const { act } = this.generator.forward(generatorInput(cond, n, this.settings.noiseSize, this.sampler.width, rng), n, rng, false);
      out.set(act.subarray(0, n * d), start * d);
    }
    return this.transformer.inverse({ data: out, rows: numRows, cols: d }, new Uint8Array(numRows).fill(label));
  }
}

/** One critic step and one generator step at a time, on reused buffers. */
class Trainer {
  private readonly gOpt: Adam[];
  private readonly dOpt: Adam[];
  private readonly rowSize: number;
  private readonly numGroups: number;

  constructor(
    private readonly settings: Settings,
    private readonly sampler: ConditionSampler,
    private readonly generator: Generator,
    private readonly discriminator: Discriminator,
    private readonly realData: Float64Array,
  ) {
    const adam = () => new Adam({ lr: settings.lr, beta1: BETA1, beta2: BETA2 });
    this.gOpt = generator.allLayers.map(adam);
    this.dOpt = discriminator.allLayers.map(adam);
    this.rowSize = generator.dataSize + sampler.width;
    this.numGroups = settings.batchSize / settings.pac;
  }

  /** WGAN-GP critic step; returns E[D(fake)] − E[D(real)] + penalty. */
  discriminatorStep(rng: Random): number {
    const { batchSize: n, noiseSize } = this.settings;
    const d = this.generator.dataSize;
    const cond = this.sampler.training(n, rng);
    const { act } = this.generator.forward(generatorInput(cond, n, noiseSize, this.sampler.width, rng), n, rng);
    const fake = this.withCondition(act, cond, n);
    const realRows = new Float64Array(n * d);
    for (let i = 0; i < n; i++) realRows.set(this.realData.subarray(cond.rows[i] * d, (cond.rows[i] + 1) * d), i * d);
    const real = this.withCondition(realRows, cond, n);
    const D = this.discriminator;
    const G = this.numGroups;
    D.zeroGrad();
    const realScore = mean(D.forward(real, G, rng));
    D.backward(new Float64Array(G).fill(-1 / G), undefined);
    const fakeScore = mean(D.forward(fake, G, rng));
    D.backward(new Float64Array(G).fill(1 / G), undefined);
    const penalty = D.gradientPenalty(real, fake, G, this.settings.gpWeight, rng);
    step(D.allLayers, this.dOpt);
    return fakeScore - realScore + penalty;
  }

  /** Generator step; returns −E[D(fake)] + conditional cross-entropy. */
  generatorStep(rng: Random): number {
    const { batchSize: n, noiseSize } = this.settings;
    const d = this.generator.dataSize;
    const cond = this.sampler.training(n, rng);
    this.generator.zeroGrad();
    const { logits, act } = this.generator.forward(generatorInput(cond, n, noiseSize, this.sampler.width, rng), n, rng);
    const fake = this.withCondition(act, cond, n);
    const G = this.numGroups;
    const score = mean(this.discriminator.forward(fake, G, rng));
    const dFake = new Float64Array(fake.length);
    this.discriminator.backward(new Float64Array(G).fill(-1 / G), dFake, false);
    const dAct = new Float64Array(n * d);
    for (let i = 0; i < n; i++) dAct.set(dFake.subarray(i * this.rowSize, i * this.rowSize + d), i * d);
    const dLogits = new Float64Array(n * d);
    let crossEntropy = 0;
    for (let i = 0; i < n; i++) {
      const b = cond.block[i];
      if (b < 0) continue;
      const block = this.sampler.blocks[b];
      crossEntropy += crossEntropyWithGrad(logits, i * d + block.dataOffset, block.size, cond.category[i], 1 / n, dLogits) / n;
    }
    this.generator.backward(dAct, dLogits);
    step(this.generator.allLayers, this.gOpt);
    return -score + crossEntropy;
  }

  /** Rows [data | condition] back to back, which is also the critic's pack layout. */
  private withCondition(data: Float64Array, cond: ConditionBatch, n: number): Float64Array {
    const d = this.generator.dataSize;
    const c = this.sampler.width;
    const out = new Float64Array(n * this.rowSize);
    for (let i = 0; i < n; i++) {
      out.set(data.subarray(i * d, (i + 1) * d), i * this.rowSize);
      out.set(cond.cond.subarray(i * c, (i + 1) * c), i * this.rowSize + d);
    }
    return out;
  }
}

/** [standard normal noise | condition] rows for the generator. */
function generatorInput(cond: ConditionBatch, n: number, noiseSize: number, condSize: number, rng: Random): Float64Array {
  const width = noiseSize + condSize;
  const input = new Float64Array(n * width);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < noiseSize; j++) input[i * width + j] = rng.normal();
    input.set(cond.cond.subarray(i * condSize, (i + 1) * condSize), i * width + noiseSize);
  }
  return input;
}

/** Adam step with PyTorch-style weight decay (∇ += wd·θ) on every layer. */
function step(layers: readonly Trainable[], optimizers: readonly Adam[]): void {
  layers.forEach((layer, l) => {
    for (let i = 0; i < layer.params.length; i++) layer.grad[i] += WEIGHT_DECAY * layer.params[i];
    optimizers[l].step(layer.params, layer.grad);
  });
}

function mean(values: Float64Array): number {
  let s = 0;
  for (const v of values) s += v;
  return s / values.length;
}

function checkOptions(options: CtganOptions): Settings {
  if (typeof options !== 'object' || options === null) throw new TypeError('options: expected an object');
  if (typeof options.seed !== 'number' && typeof options.seed !== 'string') throw new TypeError('options.seed: expected a number or string');
  const s: Settings = { ...DEFAULTS, ...stripUndefined(options), seed: options.seed };
  const int = (name: string, v: number, min: number, max: number) => {
    if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`options.${name}: expected an integer in [${min}, ${max}], got ${v}`);
  };
  int('epochs', s.epochs, 1, 100_000);
  int('pac', s.pac, 1, 100);
  int('batchSize', s.batchSize, s.pac, 100_000);
  if (s.batchSize % s.pac !== 0) throw new RangeError(`options.batchSize: expected a multiple of pac = ${s.pac}, got ${s.batchSize}`);
  int('noiseSize', s.noiseSize, 1, 4096);
  int('maxModes', s.maxModes, 1, 10);
  if (!(s.lr > 0 && s.lr < 1)) throw new RangeError(`options.lr: expected a number in (0, 1), got ${s.lr}`);
  if (!(s.dropout >= 0 && s.dropout < 1)) throw new RangeError(`options.dropout: expected a number in [0, 1), got ${s.dropout}`);
  if (!(s.gpWeight >= 0 && Number.isFinite(s.gpWeight))) throw new RangeError(`options.gpWeight: expected a finite number ≥ 0, got ${s.gpWeight}`);
  for (const [name, sizes] of [['generatorHidden', s.generatorHidden], ['discriminatorHidden', s.discriminatorHidden]] as const) {
    if (!Array.isArray(sizes) || sizes.length < 1 || sizes.length > 4) throw new RangeError(`options.${name}: expected 1 to 4 layer sizes`);
    sizes.forEach((v, i) => int(`${name}[${i}]`, v, 1, 4096));
  }
  return s;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([k, v]) => v !== undefined && k !== 'onEpoch')) as Partial<T>;
}
