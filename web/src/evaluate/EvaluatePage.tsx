/** Test a message against the account's settings: envelope fields, or a pasted `.eml`. */
import { useState } from 'preact/hooks';
import type { ApiMessage } from '../api/client';
import { ErrorList, errorsOf } from '../components/ErrorList';
import { EnvelopeForm } from './EnvelopeForm';
import { evaluateEml, evaluateMessage, type Verdict } from './evaluate';
import { VerdictView } from './VerdictView';

/** The message field an error points at (`/messages/0/sending_ip` → `sending_ip`). */
function fieldOf(error: ApiMessage): string | null {
  return /^\/messages\/0\/([a-z_]+)/.exec(error.source?.pointer ?? '')?.[1] ?? null;
}

export function EvaluatePage({ account, linkRecords }: { account: string; linkRecords: boolean }) {
  const [mode, setMode] = useState<'fields' | 'eml'>('fields');
  const [eml, setEml] = useState('');
  const [verdict, setVerdict] = useState<Verdict | null>(null);
  const [errors, setErrors] = useState<ApiMessage[]>([]);
  const run = async (evaluation: Promise<Verdict>) => {
    try {
      setVerdict(await evaluation);
      setErrors([]);
    } catch (error) {
      setVerdict(null);
      setErrors(errorsOf(error));
    }
  };
  const fieldErrors = mode === 'fields' ? errors : [];
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Test a message</h1>
      <fieldset class="mode">
        <legend>Describe the message by</legend>
        <label>
          <input type="radio" name="mode" checked={mode === 'fields'} onChange={() => setMode('fields')} /> Envelope fields
        </label>
        <label>
          <input type="radio" name="mode" checked={mode === 'eml'} onChange={() => setMode('eml')} /> Pasting an .eml
        </label>
      </fieldset>
      <ErrorList errors={errors.filter((error) => mode === 'eml' || fieldOf(error) === null)} />
      {mode === 'fields' ? (
        <EnvelopeForm
          errorsFor={(field) => fieldErrors.filter((error) => fieldOf(error) === field).map((error) => error.message)}
          onSubmit={(message) => void run(evaluateMessage(account, message))}
        />
      ) : (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void run(evaluateEml(account, eml));
          }}
        >
          <div class="field">
            <label for="eml">Message source (.eml)</label>
            <textarea id="eml" rows={12} spellcheck={false} value={eml} onInput={(event) => setEml(event.currentTarget.value)} />
            <small class="hint">
              Headers and body as received. Authentication-Results are believed only from the server's trusted authserv-ids.
            </small>
          </div>
          <div class="actions">
            <button type="submit" class="primary">
              Evaluate
            </button>
          </div>
        </form>
      )}
      {verdict && <VerdictView account={account} verdict={verdict} linkRecords={linkRecords} />}
    </section>
  );
}
