/** The sign-in form: an access key and its secret, sent once; the secret is not kept. */
import { useState } from 'preact/hooks';
import { api, setCsrfToken, type User } from './api.js';

/** Signs in; calls onSignedIn with the user. */
export function SignIn(props: { notice: string; onSignedIn: (user: User) => void }) {
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const data = new FormData(form);
    setBusy(true);
    setError('');
    try {
      const answer = await api<{ user: User; csrfToken: string }>('POST', 'session', {
        accessKeyId: String(data.get('accessKeyId') ?? '').trim(),
        secretAccessKey: String(data.get('secretAccessKey') ?? '').trim(),
      });
      form.reset();
      setCsrfToken(answer.csrfToken);
      props.onSignedIn(answer.user);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>Cairn console</h1>
      {props.notice && (
        <p class="notice" role="status">
          {props.notice}
        </p>
      )}
      <form onSubmit={(e) => void submit(e)} aria-label="Sign in">
        <label for="accessKeyId">Access key</label>
        <input id="accessKeyId" name="accessKeyId" autocomplete="username" required />
        <label for="secretAccessKey">Secret</label>
        <input
          id="secretAccessKey"
          name="secretAccessKey"
          type="password"
          autocomplete="current-password"
          required
        />
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}
