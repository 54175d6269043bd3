/**
 * The public front page: what the federation is, its privacy guarantees in plain words, and
 * the way in (sign in, request an account, or create the first administrator on a new
 * coordinator).
 */
import { Link } from 'react-router-dom';
import { useApiData } from '../api/useApi.js';
import { usePageTitle } from '../components/usePageTitle.js';
import { landingPath } from '../session/access.js';
import { useSession } from '../session/SessionProvider.js';

/** The home page. */
export default function Home() {
  usePageTitle('Home');
  const { session } = useSession();
  const setup = useApiData<{ setupRequired: boolean }>(session ? undefined : '/api/v1/setup');
  return (
    <article className="home">
      <h1>FedCredit: one credit-risk model, trained together</h1>
      <p className="lead">
        Several lenders train a shared model of the probability that a borrower defaults. Each lender runs a
        FedCredit node next to its own data; the coordinator you are looking at only ever sees model updates,
        never a customer record.
      </p>
      <div className="actions">
        {session ? (
          <Link className="button" to={session.totpEnrolmentRequired ? '/enrol' : landingPath(session.permissions)}>Continue to your workspace</Link>
        ) : setup.data?.setupRequired ? (
          <Link className="button" to="/setup">Create the first administrator</Link>
        ) : (
          <>
            <Link className="button" to="/signin">Sign in</Link>
            <Link className="button secondary" to="/register">Request an account</Link>
          </>
        )}
      </div>
      <section aria-labelledby="privacy-title">
        <h2 id="privacy-title">What stays private, in plain words</h2>
        <ul className="guarantees">
          <li><strong>Records stay home.</strong> Applications and repayment histories never leave the lender that holds them. Nodes only open outbound connections to the coordinator; nobody can query their data.</li>
          <li><strong>Only summaries travel.</strong> A node sends model updates (and, for evaluation, score histograms), each a sum over many customers. The lender’s own policy decides which jobs and models it accepts, and how many rows an update must cover at least.</li>
          <li><strong>Sums, not individual updates.</strong> With secure aggregation switched on, the coordinator can add the lenders’ updates up but cannot see any single lender’s update.</li>
          <li><strong>Bounded leakage.</strong> With differential privacy switched on, calibrated noise bounds how much anyone can learn about one customer from the model; each lender keeps a privacy budget and refuses jobs that would exceed it.</li>
          <li><strong>Everything is on the record.</strong> Sign-ins, jobs, approvals and scores go into a hash-chained audit log; auditors can verify that nobody edited or removed an entry.</li>
        </ul>
      </section>
      <section aria-labelledby="roles-title">
        <h2 id="roles-title">Who does what</h2>
        <dl className="roles">
          <dt>Administrators</dt><dd>approve accounts and assign roles, invite lenders, approve models for use.</dd>
          <dt>ML engineers</dt><dd>start training jobs and follow them round by round.</dd>
          <dt>Risk officers</dt><dd>score applicants with the approved model and read the reasons behind each score.</dd>
          <dt>Auditors</dt><dd>read the audit log and verify its integrity.</dd>
        </dl>
      </section>
    </article>
  );
}
