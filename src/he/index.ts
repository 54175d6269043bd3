/**
 * Paillier additive homomorphic encryption for FedCredit aggregation: bigint number theory,
 * keys, encryption with precomputed randomness, CRT decryption, packed fixed-point vectors, the
 * key-holder role, 2-of-2 threshold decryption, n-of-n distributed decryption and the protocol of
 * Paillier as an aggregation mode. See each module for the maths and citations.
 */
export * from './bigint.js';
export * from './prime.js';
export * from './fixedBase.js';
export * from './keys.js';
export * from './randomness.js';
export * from './paillier.js';
export * from './packing.js';
export * from './serialize.js';
export * from './keyShare.js';
export * from './threshold.js';
export * from './distributed.js';
export * from './protocol.js';
