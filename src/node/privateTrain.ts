/**
 * The train handler's private path, taken when a train message carries `config.privacy`:
 * record-level DP-SGD on the node's rows, or client-level DP-FedAvg (local training, then the
 * update clipped and noised before it leaves). Randomness that protects records — the Poisson
 * samples and the noise — comes from the operating system unless the node runs a simulation,
 * where it is derived from the job seed so runs repeat bit for bit.
 */
import { randomBytes } from 'node:crypto';
import { deriveRandom, Random } from '../math/random.js';
import type { Model } from '../model/model.js';
import { trainLocal } from '../model/train.js';
import { trainLocalDp } from '../privacy/dpsgd.js';
import { privatizeUpdate } from '../privacy/dpFedAvg.js';
import { cryptoNoiseSource, seededNoiseSource, type NoiseSource } from '../privacy/noiseSource.js';
import { parsePrivacySettings, resolvePrivacy, type ResolvedPrivacy } from '../privacy/plan.js';
import { ProtocolError, readJson, readNumber, readString } from '../protocol/config.js';
import type { ConfigValue, Message } from '../protocol/message.js';
import type { EncodedSplit } from './jobContext.js';

/** Where DP randomness comes from: the OS (production) or the job seed (simulation, tests). */
export type DpRandomness = 'os' | 'seeded';

/**
 * The job's privacy settings from `config.privacy` (JSON), resolved (σ calibrated), or
 * undefined when the message has none. Throws ProtocolError (BAD_MESSAGE) listing every problem.
 */
export function readPrivacy(config: Readonly<Record<string, ConfigValue>>): ResolvedPrivacy | undefined {
  if (config.privacy === undefined) return undefined;
  const parsed = parsePrivacySettings(readJson(config, 'privacy', 10_000));
  if (!parsed.ok) throw new ProtocolError(`config.privacy: ${parsed.issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join('; ')}`);
  try {
    return resolvePrivacy(parsed.settings);
  } catch (err) {
    if (err instanceof RangeError) throw new ProtocolError(`config.privacy: ${err.message}`);
    throw err;
  }
}

function randomnessFor(randomness: DpRandomness, seed: number | string, nodeId: string, round: number): { rng: Random; noise: NoiseSource } {
  if (randomness === 'seeded') {
    return { rng: deriveRandom(seed, 'dp', 'sampling', nodeId, round), noise: seededNoiseSource(deriveRandom(seed, 'dp', 'noise', nodeId, round)) };
  }
  // 128 secret bits: whoever knows the job seed must not be able to tell which rows were sampled.
  const words = randomBytes(16);
  const rng = new Random([words.readUInt32LE(0), words.readUInt32LE(4), words.readUInt32LE(8), words.readUInt32LE(12)]);
  words.fill(0);
  return { rng, noise: cryptoNoiseSource() };
}

/**
 * Train `model` (holding the global parameters) privately on `data` and return the reply
 * content: the new parameters (rounded to float32 like every train reply) and the FedAvg weight.
 * The local loss is not returned: it is computed from the records without noise.
 */
export function trainPrivately(options: {
  readonly message: Message;
  readonly privacy: ResolvedPrivacy;
  readonly model: Model;
  readonly data: EncodedSplit;
  readonly seed: number | string;
  readonly randomness: DpRandomness;
}): { arrays: Record<string, Float64Array>; config: Record<string, ConfigValue> } {
  const { message, privacy, model, data } = options;
  const c = message.config;
  if (readString(c, 'classWeights', { allowed: ['none', 'balanced'] as const, fallback: 'none' }) === 'balanced') {
    throw new ProtocolError('config.classWeights: "balanced" is not supported with differential privacy (weights would scale the clipped gradients)');
  }
  if (readNumber(c, 'proximalMu', { min: 0, max: 100, fallback: 0 }) > 0) {
    throw new ProtocolError('config.proximalMu: FedProx is not supported with differential privacy');
  }
  const lr = readNumber(c, 'lr', { min: 1e-9, max: 10, fallback: 0.05 });
  const optimizer = readString<'sgd' | 'adam'>(c, 'optimizer', { allowed: ['sgd', 'adam'] as const, fallback: 'adam' });
  const l2 = readNumber(c, 'l2', { min: 0, max: 100, fallback: 1e-3 });
  const { rng, noise } = randomnessFor(options.randomness, options.seed, message.nodeId, message.round);
  if (privacy.mechanism === 'dpsgd') {
    const result = trainLocalDp(model, data, {
      epochs: privacy.epochs, sampleRate: privacy.sampleRate, lr, optimizer, l2,
      maxGradNorm: privacy.maxGradNorm, noiseMultiplier: privacy.noiseMultiplier, rng, noise,
    });
    return { arrays: { parameters: model.getParameters().map(Math.fround) }, config: { numExamples: result.numExamples, dpSteps: result.steps } };
  }
  const global = model.getParameters();
  trainLocal(model, data, {
    epochs: readNumber(c, 'epochs', { min: 1, max: 1000, integer: true, fallback: 1 }),
    batchSize: readNumber(c, 'batchSize', { min: 1, max: 100_000, integer: true, fallback: 32 }),
    lr, optimizer, l2, rng,
  });
  const parameters = privatizeUpdate({ local: model.getParameters(), global, clipNorm: privacy.clipNorm, noiseMultiplier: privacy.noiseMultiplier, numNodes: privacy.numNodes, noise });
  // Weight 1 for every node: a weighted mean would scale one node's clipped update by its row
  // count, breaking the sensitivity S the noise is calibrated to (and reveal the count).
  return { arrays: { parameters: parameters.map(Math.fround) }, config: { numExamples: 1 } };
}
