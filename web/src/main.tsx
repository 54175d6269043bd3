/**
 * The dashboard's entry: the session provider around the router; every page is its own chunk
 * (React.lazy), loaded when first visited.
 */
import { lazy, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Route, Routes } from 'react-router-dom';
import { Layout } from './components/Layout.js';
import { RequireSession } from './components/RequireSession.js';
import { SessionProvider } from './session/SessionProvider.js';
import './styles.css';

const Home = lazy(() => import('./pages/Home.js'));
const SignIn = lazy(() => import('./pages/SignIn.js'));
const Register = lazy(() => import('./pages/Register.js'));
const Setup = lazy(() => import('./pages/Setup.js'));
const EnrolTotp = lazy(() => import('./pages/EnrolTotp.js'));
const Federation = lazy(() => import('./pages/Federation.js'));
const Risk = lazy(() => import('./pages/Risk.js'));
const Audit = lazy(() => import('./pages/Audit.js'));
const Users = lazy(() => import('./pages/Users.js'));
const Profile = lazy(() => import('./pages/Profile.js'));
const Settings = lazy(() => import('./pages/Settings.js'));
const NotFound = lazy(() => import('./pages/NotFound.js'));
const Applications = lazy(() => import('./pages/Applications.js'));
const ApplicationDetail = lazy(() => import('./pages/ApplicationDetail.js'));
const ScoreApplicant = lazy(() => import('./pages/ScoreApplicant.js'));

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionProvider>
      <BrowserRouter>
        <Routes>
          <Route element={<Layout />}>
            <Route index element={<Home />} />
            <Route path="signin" element={<SignIn />} />
            <Route path="register" element={<Register />} />
            <Route path="setup" element={<Setup />} />
            <Route element={<RequireSession allowEnrolment />}>
              <Route path="enrol" element={<EnrolTotp />} />
            </Route>
            <Route element={<RequireSession />}>
              <Route path="federation" element={<Federation />} />
              <Route path="risk" element={<Risk />} />
              <Route path="applications" element={<Applications />} />
              <Route path="applications/new" element={<ScoreApplicant />} />
              <Route path="applications/:id" element={<ApplicationDetail />} />
              <Route path="audit" element={<Audit />} />
              <Route path="users" element={<Users />} />
              <Route path="profile" element={<Profile />} />
              <Route path="settings" element={<Settings />} />
            </Route>
            <Route path="*" element={<NotFound />} />
          </Route>
        </Routes>
      </BrowserRouter>
    </SessionProvider>
  </StrictMode>,
);
