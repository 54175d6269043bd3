/**
 * Secure aggregation (Bonawitz et al., CCS 2017; SecAgg+ of Bell et al., CCS 2020): the server
 * learns the sum of the clients' vectors and nothing else, even when some clients drop out.
 *
 * Layers, bottom up: crypto (X25519, HKDF, AES-CTR mask expansion; ringKernel adds the masks),
 * shamir, quantize (fixed point in Z_2^32), graph (who pairs with whom), stages/keys (shared
 * vocabulary and key schedule), client and server/reconstruct (one function per stage), codec
 * (JSON), simulate (everything in one process).
 */
export { SecAggError, type SecAggErrorCode } from './errors.js';
export {
  type X25519KeyPair,
  KEY_BYTES,
  TAG_BYTES,
  addMask,
  addMasks,
  type SignedSeed,
  aesCtrKeystream,
  expandMask,
  generateX25519KeyPair,
  hkdfSha256,
  hmacTag,
  isUsableX25519PublicKey,
  wipe,
  x25519,
  x25519Agreement,
  x25519PublicKey,
} from './crypto.js';
export { type QuantizationParams, type QuantizationScale, addRing, dequantizeSum, quantizationScale, quantize } from './quantize.js';
export { MAX_SHARES, combineShares, shareX, splitSecret } from './shamir.js';
export {
  type GraphOptions,
  type NeighbourhoodChoice,
  type SecAggGraph,
  binomialCdfBelow,
  buildGraph,
  chooseNeighbourhood,
  isComplete,
  isNeighbour,
  neighbours,
} from './graph.js';
export {
  type AdvertiseKeysReply,
  type AdvertisedKeys,
  type CollectMaskedRequest,
  type AdvertisedKeyList,
  type BundleList,
  type OutgoingBundleList,
  type MaskedInputReply,
  type RevealedShareList,
  type SecAggConfig,
  type SecAggStage,
  type SessionOptions,
  type SetupRequest,
  type ShareKeysReply,
  type ShareKeysRequest,
  type UnmaskReply,
  type UnmaskRequest,
  COMMITMENT_BYTES,
  SECAGG_STAGES,
  SHARE_BYTES,
  SHARE_CIPHERTEXT_BYTES,
  SHARE_PLAINTEXT_BYTES,
  columnEntry,
  createConfig,
  packColumn,
  parseConfig,
  sessionGraph,
} from './stages.js';
export {
  BUNDLE_BYTES,
  SESSION_NONCE_BYTES,
  maskSeedCommitment,
  openBundle,
  pairKeys,
  recoveryKeyCommitment,
  sealBundle,
  sealPairSeeds,
  sessionPairKeys,
  wipeSessionPairKeys,
  type BundleKeys,
  type PairKeys,
  type PairSeedEntry,
  type SessionPairKeys,
} from './keys.js';
export { type ChannelKeys, type ClientState, type ClientStep, type HeldShares, advertiseKeys, createChannelKeys, maskInput, shareKeys, unmask, wipeChannelKeys } from './client.js';
export { type ServerState, type ServerStep, collectKeys, routeShares, setupSession, sumMasked } from './server.js';
export { type AggregationResult, reconstruct } from './reconstruct.js';
export { MASKED_INPUT_ARRAY, decodeSecAgg, encodeSecAgg, maskedInputArray, maskedInputFromArray } from './codec.js';
export { type SecureSumOptions, type SecureSumResult, type StepTimings, secureSum } from './simulate.js';
