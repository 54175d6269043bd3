/**
 * Settings: profile and notification preferences, password, second factor, and for
 * administrators the federation-wide session timeout and second-factor rule.
 */
import type { User } from '../api/types.js';
import { useApiData } from '../api/useApi.js';
import { Loaded } from '../components/Notes.js';
import { usePageTitle } from '../components/usePageTitle.js';
import { may } from '../session/access.js';
import { useSession } from '../session/SessionProvider.js';
import { AdminSettings } from './settings/AdminSettings.js';
import { PasswordForm } from './settings/PasswordForm.js';
import { ProfileForms } from './settings/ProfileForms.js';
import { TwoFactor } from './settings/TwoFactor.js';

/** The settings page. */
export default function Settings() {
  usePageTitle('Settings');
  const { session } = useSession();
  const profile = useApiData<User>('/api/v1/profile');
  return (
    <section className="settings">
      <h1>Settings</h1>
      <Loaded data={profile.data} error={profile.error} what="your profile">
        {(p) => (
          <div className="settings-grid">
            <div className="panel"><ProfileForms profile={p} onSaved={profile.reload} /></div>
            <div className="panel"><PasswordForm /></div>
            <div className="panel"><TwoFactor enabled={p.totpEnabled} onChanged={profile.reload} /></div>
            {session && may(session.permissions, 'GET /api/v1/settings') ? <div className="panel"><AdminSettings /></div> : null}
          </div>
        )}
      </Loaded>
    </section>
  );
}
