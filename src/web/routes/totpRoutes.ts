/**
 * Enrolling and managing the second factor. Enrolment is two steps: `enrol` creates a secret
 * (kept sealed as "pending") and returns it as an otpauth URI, a QR code and text; `confirm`
 * proves the app has it with one code, switches TOTP on and hands out the recovery codes,
 * shown this once. Disabling and regenerating recovery codes need a current code; failed codes
 * count toward the account lockout, and a lockout ends the person's sessions.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import type { UserRecord } from '../../store/index.js';
import { refuse, sessionOf } from '../authorize.js';
import { audit } from '../context.js';
import type { WebContext } from '../context.js';
import { base32Encode } from '../base32.js';
import { checkTotpCode, generateRecoveryCodes, useRecoveryCode } from '../secondFactor.js';
import { generateTotpSecret, otpauthUri } from '../totp.js';

const codeBody = {
  type: 'object', additionalProperties: false,
  properties: { code: { type: 'string', minLength: 1, maxLength: 20 }, recoveryCode: { type: 'string', minLength: 1, maxLength: 40 } },
} as const;

/** Register the TOTP routes. */
export async function totpRoutes(app: FastifyInstance, ctx: WebContext): Promise<void> {
  /** Check a current TOTP (or recovery) code of the signed-in person; counts failures. */
  async function proveFactor(request: FastifyRequest, reply: FastifyReply, user: UserRecord): Promise<boolean> {
    const body = (request.body ?? {}) as { code?: string; recoveryCode?: string };
    const ok = body.code !== undefined ? (await checkTotpCode(ctx, user, body.code)) === 'ok'
      : body.recoveryCode !== undefined ? await useRecoveryCode(ctx.store, user, body.recoveryCode) : false;
    if (ok) return true;
    const state = await ctx.store.recordSignInFailure(user.id, { atMs: ctx.now(), ...ctx.lockout });
    await audit(ctx, request, { action: 'totp.code_refused', subject: user.id });
    if (state.lockedUntil !== undefined) {
      await ctx.store.revokeUserSessions(user.id);
      ctx.sessions.clearCookie(reply);
      await audit(ctx, request, { action: 'auth.locked', subject: user.id, details: { lockMinutes: ctx.lockout.lockMs / 60_000 } });
    }
    refuse(reply, 400, 'invalid_code', 'wrong or already used code');
    return false;
  }

  app.post('/api/v1/totp/enrol', { schema: { tags: ['accounts'], summary: 'Start TOTP enrolment: a new secret as otpauth URI, QR code (PNG data URL) and base32 text' } }, async (request, reply) => {
    const { user } = sessionOf(request);
    if (user.totpEnabled) return refuse(reply, 409, 'totp_already_enabled', 'TOTP is already on; disable it first to enrol a new device');
    const secret = generateTotpSecret();
    try {
      await ctx.store.updateUserTotp(user.id, { pendingSecret: ctx.keys.seal(secret, user.id) });
      const uri = otpauthUri({ secret, accountName: user.email.replaceAll(':', ''), issuer: ctx.issuer });
      const qrDataUrl = await QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 256 });
      return { otpauthUri: uri, qrDataUrl, secret: base32Encode(secret, { padding: false }) };
    } finally {
      secret.fill(0);
    }
  });

  app.post('/api/v1/totp/confirm', {
    config: ctx.authRouteConfig,
    schema: { tags: ['accounts'], summary: 'Finish enrolment with one code from the app; returns 10 one-time recovery codes', body: { type: 'object', required: ['code'], additionalProperties: false, properties: { code: { type: 'string', minLength: 1, maxLength: 20 } } } },
  }, async (request, reply) => {
    const { user } = sessionOf(request);
    if (user.totpEnabled) return refuse(reply, 409, 'totp_already_enabled', 'TOTP is already on');
    if (user.totpPendingSecret === undefined) return refuse(reply, 409, 'no_enrolment', 'start with POST /api/v1/totp/enrol');
    const check = await checkTotpCode(ctx, user, (request.body as { code: string }).code, 'pending');
    if (check !== 'ok') return refuse(reply, 400, 'invalid_code', 'wrong or already used code; check the time on your device');
    const recovery = generateRecoveryCodes();
    await ctx.store.updateUserTotp(user.id, { enabled: true, secret: user.totpPendingSecret, pendingSecret: null, recoveryCodeHashes: recovery.hashes });
    await audit(ctx, request, { action: 'totp.enabled', subject: user.id });
    return { totpEnabled: true, recoveryCodes: recovery.codes };
  });

  app.post('/api/v1/totp/disable', {
    config: ctx.authRouteConfig,
    schema: { tags: ['accounts'], summary: 'Switch TOTP off (needs a current code or a recovery code; not allowed where TOTP is required)', body: codeBody },
  }, async (request, reply) => {
    const { user } = sessionOf(request);
    if (!user.totpEnabled) return refuse(reply, 409, 'totp_not_enabled', 'TOTP is not on');
    if (await ctx.sessions.totpRequired(user)) return refuse(reply, 409, 'totp_required', 'your role requires TOTP; it cannot be switched off');
    if (!(await proveFactor(request, reply, user))) return reply;
    await ctx.store.updateUserTotp(user.id, { enabled: false, secret: null, pendingSecret: null, recoveryCodeHashes: [] });
    await audit(ctx, request, { action: 'totp.disabled', subject: user.id });
    return { totpEnabled: false };
  });

  app.post('/api/v1/totp/recovery-codes', {
    config: ctx.authRouteConfig,
    schema: { tags: ['accounts'], summary: 'Replace the recovery codes (needs a current code); the old ones stop working', body: codeBody },
  }, async (request, reply) => {
    const { user } = sessionOf(request);
    if (!user.totpEnabled) return refuse(reply, 409, 'totp_not_enabled', 'TOTP is not on');
    if (!(await proveFactor(request, reply, user))) return reply;
    const recovery = generateRecoveryCodes();
    await ctx.store.updateUserTotp(user.id, { recoveryCodeHashes: recovery.hashes });
    await audit(ctx, request, { action: 'totp.recovery_codes_regenerated', subject: user.id });
    return { recoveryCodes: recovery.codes };
  });
}
