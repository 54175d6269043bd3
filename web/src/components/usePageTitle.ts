/** Sets the document title for a page, so screen readers and tabs say where the person is. */
import { useEffect } from 'react';

/** `FedCredit — <title>` while the page is shown. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} — FedCredit`;
  }, [title]);
}
