/**
 * Node identity and request authentication: Ed25519 node keys, signed requests with replay
 * protection, and one-time enrollment tokens.
 */
export { generateNodeKeyPair, privateKeyFromPem, privateKeyFromSeed, publicKeyFromBase64, publicKeyToBase64, type NodeKeyPair } from './keys.js';
export { NonceCache, type NonceCacheOptions } from './nonceCache.js';
export {
  SIGNATURE_HEADERS,
  SIGNATURE_SCHEME,
  bodyDigest,
  canonicalRequest,
  signRequest,
  verifyRequest,
  type CanonicalRequest,
  type SignRequestOptions,
  type VerifyFailureCode,
  type VerifyRequestOptions,
  type VerifyResult,
} from './sign.js';
export { ENROLLMENT_TOKEN_PREFIX, createEnrollmentToken, hashToken, isEnrollmentToken, tokensEqual, type EnrollmentToken } from './tokens.js';
export { deriveFrameKey, frameKeyExchange, isFrameExchangeKey, macFrame, signFrame, verifyFrame, verifyMacFrame, FRAME_KEY_BYTES, type FrameFailure } from './frames.js';
