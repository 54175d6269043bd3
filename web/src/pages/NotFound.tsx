/** Any unknown page address. */
import { Link } from 'react-router-dom';
import { usePageTitle } from '../components/usePageTitle.js';

/** The not-found page. */
export default function NotFound() {
  usePageTitle('Page not found');
  return (
    <section>
      <h1>Page not found</h1>
      <p>There is no page at this address. <Link to="/">Go to the home page</Link>.</p>
    </section>
  );
}
