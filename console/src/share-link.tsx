/** A presigned GET link to share, valid for the time the user chooses (at most 7 days). */
import { useState } from 'preact/hooks';
import { presign } from './api.js';

const CHOICES: Array<[number, string]> = [
  [900, '15 minutes'],
  [3600, '1 hour'],
  [86400, '1 day'],
  [604800, '7 days'],
];

/** The share form for one object. */
export function ShareLink(props: { bucket: string; objectKey: string; onClose: () => void }) {
  const [link, setLink] = useState('');
  const [error, setError] = useState('');
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const expiresSec = Number(new FormData(form).get('expiry'));
    try {
      const path = await presign({
        method: 'GET',
        bucket: props.bucket,
        key: props.objectKey,
        expiresSec,
      });
      setLink(location.origin + path);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} class="panel" aria-label="Share link">
      <h2>Share {props.objectKey}</h2>
      <label for="share-expiry">Link valid for</label>
      <select id="share-expiry" name="expiry">
        {CHOICES.map(([sec, label]) => (
          <option value={sec}>{label}</option>
        ))}
      </select>
      <button type="submit">Make link</button>
      <button type="button" onClick={props.onClose}>
        Close
      </button>
      {link && (
        <p>
          <label for="share-url">Link</label>
          <input id="share-url" readOnly value={link} onFocus={(e) => e.currentTarget.select()} />
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
