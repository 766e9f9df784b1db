/** The upload form: a file, its key under the current folder, and a progress bar. */
import { useState } from 'preact/hooks';
import { pendingUploads, upload } from './upload.js';

/** Uploads into `bucket` under `prefix`; calls done after each upload. */
export function Upload(props: { bucket: string; prefix: string; done: () => void }) {
  const [fraction, setFraction] = useState<number | undefined>(undefined);
  const [message, setMessage] = useState('');
  const [error, setError] = useState('');
  const pending = pendingUploads().filter((p) => p.bucket === props.bucket);
  const submit = async (event: Event) => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const file = (form.elements.namedItem('file') as HTMLInputElement).files?.[0];
    if (!file) return;
    const key = props.prefix + file.name;
    setError('');
    setMessage('');
    setFraction(0);
    try {
      await upload(props.bucket, key, file, setFraction);
      setMessage(`Uploaded ${key}.`);
      form.reset();
      props.done();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const percent = fraction === undefined ? 0 : Math.floor(fraction * 100);
  return (
    <form onSubmit={(e) => void submit(e)} class="inline upload" aria-label="Upload">
      <label for="upload-file">File to upload</label>
      <input id="upload-file" name="file" type="file" required />
      <button type="submit">Upload</button>
      {fraction !== undefined && (
        <span class="progress">
          <progress id="upload-progress" max={100} value={percent} aria-label="Upload progress" />
          <span aria-live="polite">{percent}%</span>
        </span>
      )}
      {pending.length > 0 && (
        <p class="notice">
          Unfinished: {pending.map((p) => p.key).join(', ')}. Choose the same file again to resume.
        </p>
      )}
      {message && <p role="status">{message}</p>}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
