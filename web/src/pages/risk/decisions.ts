/** The scorer's decisions in the words the risk pages show. */
export const DECISIONS = {
  approve: 'Approve',
  review: 'Refer for manual review',
  decline: 'Decline',
} as const;
