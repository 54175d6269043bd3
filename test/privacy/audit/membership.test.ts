import { describe, expect, it } from 'vitest';
import type { Matrix } from '../../../src/math/linalg.js';
import { deriveRandom, type Random } from '../../../src/math/random.js';
import { createModel } from '../../../src/model/factory.js';
import type { Model } from '../../../src/model/model.js';
import { trainLocal } from '../../../src/model/train.js';
import {
  attackFeatures, balanceObservation, lossThresholdAttack, perExampleLoss, shadowModelAttack, trainAttackClassifier, type MembershipObservation,
} from '../../../src/privacy/audit/membership.js';

const NUM_FEATURES = 10;

/** Rows with Gaussian features and a weak signal: y ~ Bernoulli(σ(0.5·x₀)), so fitting every label needs memorising. */
function sample(numRows: number, rng: Random): { x: Matrix; y: Float64Array } {
  const data = Float64Array.from({ length: numRows * NUM_FEATURES }, () => rng.normal());
  const y = Float64Array.from({ length: numRows }, (_, i) => (rng.next() < 1 / (1 + Math.exp(-0.5 * data[i * NUM_FEATURES])) ? 1 : 0));
  return { x: { data, rows: numRows, cols: NUM_FEATURES }, y };
}

/** An MLP trained for many epochs without regularisation on few rows: it memorises them. */
function overfit(train: { x: Matrix; y: Float64Array }, seed: number): Model {
  const model = createModel('mlp', NUM_FEATURES, { hidden: [64] }, deriveRandom(seed, 'init'));
  trainLocal(model, train, { epochs: 300, batchSize: 16, lr: 0.01, optimizer: 'adam', rng: deriveRandom(seed, 'train') });
  return model;
}

function observe(model: Model, members: { x: Matrix; y: Float64Array }, nonMembers: { x: Matrix; y: Float64Array }): MembershipObservation {
  return {
    members: { proba: model.predictProba(members.x), labels: members.y },
    nonMembers: { proba: model.predictProba(nonMembers.x), labels: nonMembers.y },
  };
}

describe('perExampleLoss and attackFeatures', () => {
  it('computes the log loss of each row (hand values −ln 0.9, −ln 0.8) and the [loss, p, label] features', () => {
    const p = { proba: Float64Array.of(0.9, 0.2), labels: Float64Array.of(1, 0) };
    const loss = perExampleLoss(p);
    expect(loss[0]).toBeCloseTo(0.10536051565782628, 14);
    expect(loss[1]).toBeCloseTo(0.2231435513142097, 14);
    const f = attackFeatures(p);
    expect([f.rows, f.cols]).toEqual([2, 3]);
    expect(Array.from(f.data)).toEqual([loss[0], 0.9, 1, loss[1], 0.2, 0]);
  });

  it('stays finite for confident mistakes (clipped like the log-loss metric)', () => {
    expect(perExampleLoss({ proba: Float64Array.of(0, 1), labels: Uint8Array.of(1, 0) }).every(Number.isFinite)).toBe(true);
  });
});

describe('balanceObservation', () => {
  it('subsamples the larger side to the size of the smaller, keeping rows intact', () => {
    const members = { proba: Float64Array.from({ length: 10 }, (_, i) => i / 10), labels: Float64Array.from({ length: 10 }, (_, i) => i % 2) };
    const nonMembers = { proba: Float64Array.of(0.5, 0.6, 0.7), labels: Float64Array.of(0, 1, 0) };
    const b = balanceObservation({ members, nonMembers }, deriveRandom(1));
    expect(b.members.proba.length).toBe(3);
    expect(b.nonMembers).toBe(nonMembers);
    for (let i = 0; i < 3; i++) expect(b.members.labels[i]).toBe(Math.round(b.members.proba[i] * 10) % 2);
  });
});

describe('loss-threshold attack', () => {
  it('finds the members of an overfit model: advantage clearly above 0.2', () => {
    const rng = deriveRandom(11, 'data');
    const members = sample(100, rng);
    const model = overfit(members, 11);
    const r = lossThresholdAttack(observe(model, members, sample(100, rng)), { rng: deriveRandom(11, 'attack') });
    expect([r.numMembers, r.numNonMembers]).toEqual([100, 100]);
    expect(r.calibratedAdvantage).toBeGreaterThan(0.2);
    expect(r.bestAdvantage).toBeGreaterThan(0.3);
    expect(r.auc).toBeGreaterThan(0.7);
    expect(r.bestAdvantage).toBeGreaterThan(r.nullBestAdvantage + 0.15);
  });

  it('finds nothing against models whose output does not depend on membership', () => {
    // n = m = 500: AUC sd ≈ √((n+m+1)/(12nm)) ≈ 0.018, calibrated advantage sd ≈ 0.032, best
    // advantage ≈ 0.04 ± 0.017 (Smirnov); the bounds below are about 4 sd.
    const rng = deriveRandom(12, 'data');
    const a = sample(500, rng);
    const b = sample(500, rng);
    const untrained = createModel('mlp', NUM_FEATURES, { hidden: [64] }, deriveRandom(12, 'init'));
    const elsewhere = overfit(sample(100, rng), 13); // trained, but on neither a nor b
    for (const model of [untrained, elsewhere]) {
      const r = lossThresholdAttack(observe(model, a, b), { rng: deriveRandom(12, 'attack') });
      expect(Math.abs(r.auc - 0.5)).toBeLessThan(0.075);
      expect(Math.abs(r.calibratedAdvantage)).toBeLessThan(0.13);
      expect(r.bestAdvantage).toBeLessThan(0.11);
    }
  });

  it('is deterministic for a seed', () => {
    const rng = deriveRandom(14, 'data');
    const members = sample(50, rng);
    const obs = observe(overfit(members, 14), members, sample(70, rng));
    expect(lossThresholdAttack(obs, { rng: deriveRandom(1), numPermutations: 20 })).toEqual(lossThresholdAttack(obs, { rng: deriveRandom(1), numPermutations: 20 }));
  });
});

describe('shadow-model attack', () => {
  const shadowsFrom = (seed: number, count: number) => Array.from({ length: count }, (_, k) => {
    const rng = deriveRandom(seed, 'shadow', k);
    const inRows = sample(100, rng);
    return observe(overfit(inRows, seed * 100 + k), inRows, sample(100, rng));
  });

  it('learns from overfit shadows to find the members of an overfit target', () => {
    const rng = deriveRandom(21, 'target');
    const members = sample(100, rng);
    const target = observe(overfit(members, 21), members, sample(100, rng));
    const r = shadowModelAttack({ shadows: shadowsFrom(21, 3), target, rng: deriveRandom(21, 'attack') });
    expect(r.numShadows).toBe(3);
    expect(r.numAttackExamples).toBe(600);
    expect(r.advantage).toBeGreaterThan(0.2);
    expect(r.auc).toBeGreaterThan(0.7);
    expect(r.bestAdvantage).toBeGreaterThanOrEqual(r.advantage);
  });

  it('finds nothing in a target whose output does not depend on membership', () => {
    const rng = deriveRandom(22, 'target');
    const untrained = createModel('mlp', NUM_FEATURES, { hidden: [64] }, deriveRandom(22, 'init'));
    const target = observe(untrained, sample(400, rng), sample(400, rng));
    const r = shadowModelAttack({ shadows: shadowsFrom(22, 2), target, rng: deriveRandom(22, 'attack') });
    // n = m = 400: AUC sd ≈ 0.02, advantage at a fixed threshold sd ≤ 0.035; bounds ≈ 4 sd.
    expect(Math.abs(r.auc - 0.5)).toBeLessThan(0.08);
    expect(Math.abs(r.advantage)).toBeLessThan(0.14);
  });

  it('standardises the attack features on the shadow data', () => {
    const classifier = trainAttackClassifier(shadowsFrom(23, 1), { rng: deriveRandom(23), epochs: 5 });
    expect(classifier.means[2]).toBeGreaterThan(0); // mean label
    expect(classifier.means[2]).toBeLessThan(1);
    expect(Array.from(classifier.scales).every((s) => s > 0)).toBe(true);
  });
});

describe('hostile inputs', () => {
  const good = { proba: Float64Array.of(0.2, 0.7, 0.4), labels: Float64Array.of(0, 1, 1) };
  it.each([
    ['a probability above 1', { members: { ...good, proba: Float64Array.of(0.2, 1.2, 0.4) }, nonMembers: good }, RangeError],
    ['a NaN probability', { members: { ...good, proba: Float64Array.of(0.2, NaN, 0.4) }, nonMembers: good }, RangeError],
    ['a label of 2', { members: good, nonMembers: { ...good, labels: Float64Array.of(0, 2, 1) } }, RangeError],
    ['labels of another length', { members: good, nonMembers: { ...good, labels: Float64Array.of(0, 1) } }, RangeError],
    ['proba as a plain array', { members: { ...good, proba: [0.2, 0.7, 0.4] }, nonMembers: good }, TypeError],
    ['a single row', { members: { proba: Float64Array.of(0.2), labels: Float64Array.of(0) }, nonMembers: good }, RangeError],
    ['no members at all', { nonMembers: good }, TypeError],
  ])('%s is rejected', (_name, observation, type) => {
    expect(() => lossThresholdAttack(observation as unknown as MembershipObservation, { rng: deriveRandom(1) })).toThrow(type);
  });

  it('the shadow attack needs at least one shadow', () => {
    expect(() => shadowModelAttack({ shadows: [], target: { members: good, nonMembers: good }, rng: deriveRandom(1) })).toThrow(RangeError);
  });
});
