/**
 * The store conformance suite: every Store implementation must pass all of it. A backend's test
 * file calls {@link storeConformance} with a factory of fresh databases (each carrying the
 * `open()` factory under test and direct SQL access for tampering and inspection).
 */
import { describe } from 'vitest';
import { auditSuite } from './conformance/audit.js';
import type { FreshDatabase } from './conformance/harness.js';
import { identitySuite } from './conformance/identity.js';
import { jobsSuite } from './conformance/jobs.js';
import { lifecycleSuite } from './conformance/lifecycle.js';
import { modelsSuite } from './conformance/models.js';
import { usersSuite } from './conformance/users.js';

export type { FreshDatabase, TestDatabase } from './conformance/harness.js';

/** Register the whole suite under `name` for one backend. */
export function storeConformance(name: string, fresh: FreshDatabase): void {
  describe(`Store conformance: ${name}`, () => {
    identitySuite(fresh);
    jobsSuite(fresh);
    modelsSuite(fresh);
    auditSuite(fresh);
    lifecycleSuite(fresh);
    usersSuite(fresh);
  });
}
