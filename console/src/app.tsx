/**
 * The console's shell: sign-in, then a navigation bar and the page named by the URL's hash
 * (#/cluster, #/users, #/buckets, #/buckets/NAME, #/quotas, #/usage), so reloads and the back
 * button keep their place without any server-side routing.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, setCsrfToken, whenSignedOut, type User } from './api.js';
import { BucketsPage } from './buckets-page.js';
import { BucketPage } from './bucket-page.js';
import { ClusterPage } from './cluster-page.js';
import { QuotasPage } from './quotas-page.js';
import { SignIn } from './sign-in.js';
import { UsagePage } from './usage-page.js';
import { UsersPage } from './users-page.js';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const changed = () => setHash(location.hash);
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return hash;
}

/** The whole console. */
export function App() {
  const [user, setUser] = useState<User | null | undefined>(undefined);
  const [notice, setNotice] = useState('');
  useEffect(() => {
    whenSignedOut(() => {
      setUser(null);
      setNotice('Your session has ended: sign in again.');
    });
    api<{ user: User; csrfToken: string }>('GET', 'session').then(
      (s) => (setCsrfToken(s.csrfToken), setUser(s.user)),
      () => setUser(null),
    );
  }, []);
  if (user === undefined) return <p class="loading">Loading…</p>;
  if (user === null) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(u) => {
          setNotice('');
          setUser(u);
        }}
      />
    );
  }
  return <Shell user={user} onSignOut={() => setUser(null)} />;
}

function Shell({ user, onSignOut }: { user: User; onSignOut: () => void }) {
  const hash = useHash();
  const route = hash.replace(/^#\/?/, '').split('/');
  const page = route[0] || (user.isAdmin ? 'cluster' : 'buckets');
  const signOut = () => void api('DELETE', 'session').finally(onSignOut);
  const links = [
    ...(user.isAdmin ? [['cluster', 'Cluster']] : []),
    ['users', 'Users'],
    ['buckets', 'Buckets'],
    ['quotas', 'Quotas'],
    ['usage', 'Usage'],
  ];
  return (
    <div class="shell">
      <header>
        <span class="brand">Cairn</span>
        <nav aria-label="Pages">
          {links.map(([id, label]) => (
            <a href={`#/${id}`} aria-current={page === id ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who">
          {user.name} {user.isAdmin ? '(admin)' : ''}
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>{pageOf(page, route, user)}</main>
    </div>
  );
}

function pageOf(page: string, route: string[], user: User) {
  if (page === 'cluster') return <ClusterPage />;
  if (page === 'users') return <UsersPage user={user} />;
  if (page === 'usage') return <UsagePage user={user} />;
  if (page === 'quotas') return <QuotasPage user={user} />;
  if (page === 'buckets' && route[1]) return <BucketPage bucket={decodeURIComponent(route[1])} />;
  return <BucketsPage />;
}
