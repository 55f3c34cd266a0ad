import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';

interface Issue {
  line: number;
  column: number;
  message: string;
}
interface Version {
  version: number;
  author: string;
  message: string;
  createdAt: number;
  current: boolean;
}
interface Backtest {
  deployed: Record<string, number>;
  candidate: Record<string, number>;
  comparison: { added: { alarmKey: string; ruleId: string }[]; removed: { alarmKey: string; ruleId: string }[] };
  inputs: number;
}

export function RuleEditor() {
  const [text, setText] = useState('');
  const [issues, setIssues] = useState<Issue[]>([]);
  const [versions, setVersions] = useState<Version[]>([]);
  const [bt, setBt] = useState<Backtest | null>(null);
  const [message, setMessage] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [diff, setDiff] = useState<string | null>(null);
  const [base, setBase] = useState<number | null>(null);

  const loadDeployed = async (): Promise<void> => {
    const r = await api<{ yaml: string; version: number }>('GET', '/api/v1/rules');
    setText(r.yaml);
    setBase(r.version);
    setVersions((await api<{ items: Version[] }>('GET', '/api/v1/rules/versions')).items);
  };
  useEffect(() => {
    void loadDeployed().catch((err: Error) => setError(err.message));
  }, []);
  // Validation as you type, with the engine's own errors.
  useEffect(() => {
    if (text === '') return;
    const timer = setTimeout(() => {
      void api<{ issues: Issue[] }>('POST', '/api/v1/rules/validate', { files: [{ name: 'rules.yaml', text }] }).then(
        (r) => setIssues(r.issues),
        (err: Error) => setError(err.message),
      );
    }, 300);
    return () => clearTimeout(timer);
  }, [text]);

  const act = async (fn: () => Promise<void>): Promise<void> => {
    try {
      setError(null);
      await fn();
    } catch (err) {
      setError((err as Error).message);
    }
  };
  const backtest = (): Promise<void> => act(async () => setBt(await api<Backtest>('POST', '/api/v1/rules/backtest', { files: [{ name: 'rules.yaml', text }], days: 7 })));
  const deploy = (): Promise<void> =>
    act(async () => {
      const r = await api<{ version: number }>('POST', '/api/v1/rules/deploy', { files: [{ name: 'rules.yaml', text }], message, ...(base !== null ? { baseVersion: base } : {}) });
      setNotice(`Deployed as version ${r.version}`);
      await loadDeployed();
    });
  const rollback = (v: number): Promise<void> =>
    act(async () => {
      const r = await api<{ version: number }>('POST', '/api/v1/rules/rollback', { version: v });
      setNotice(`Rolled back to version ${v} (now version ${r.version})`);
      await loadDeployed();
    });
  const showDiff = (v: number): Promise<void> =>
    act(async () => {
      const d = await api<{ added: string[]; removed: string[]; changed: string[] }>('GET', `/api/v1/rules/versions/${v}/diff`);
      setDiff(`version ${v}: added ${d.added.join(', ') || '—'}; removed ${d.removed.join(', ') || '—'}; changed ${d.changed.join(', ') || '—'}`);
    });

  return (
    <section>
      <h1>Rules</h1>
      {base !== null && <p>Editing from deployed version {base}</p>}
      {notice !== null && <p role="status">{notice}</p>}
      {error !== null && <p role="alert" class="error">{error}</p>}
      <div class="editor">
        <label for="rules-text">Rule set (YAML)</label>
        <textarea id="rules-text" spellcheck={false} value={text} onInput={(e) => setText(e.currentTarget.value)} rows={24} />
        <ul class="issues" aria-label="Problems" aria-live="polite">
          {issues.map((i, n) => (
            <li key={n} class="error">
              line {i.line}, column {i.column}: {i.message}
            </li>
          ))}
          {issues.length === 0 && text !== '' && <li class="ok">No problems</li>}
        </ul>
      </div>
      <div class="actions">
        <button onClick={() => void backtest()} disabled={issues.length > 0}>
          Backtest last 7 days
        </button>
        <label>
          Deploy message
          <input name="message" value={message} onInput={(e) => setMessage(e.currentTarget.value)} />
        </label>
        <button onClick={() => void deploy()} disabled={issues.length > 0 || message === ''}>
          Deploy
        </button>
      </div>
      {bt !== null && (
        <table aria-label="Backtest">
          <caption>
            Backtest over {bt.inputs} recorded inputs: {bt.comparison.added.length} alarm(s) added, {bt.comparison.removed.length} removed
          </caption>
          <thead>
            <tr>
              <th>Rule</th>
              <th>Deployed</th>
              <th>Edited</th>
            </tr>
          </thead>
          <tbody>
            {[...new Set([...Object.keys(bt.deployed), ...Object.keys(bt.candidate)])].sort().map((r) => (
              <tr key={r}>
                <td>{r}</td>
                <td>{bt.deployed[r] ?? 0}</td>
                <td>{bt.candidate[r] ?? 0}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Versions</h2>
      {diff !== null && <p class="diff">{diff}</p>}
      <table aria-label="Versions">
        <tbody>
          {versions.map((v) => (
            <tr key={v.version}>
              <td>v{v.version}</td>
              <td>{v.author}</td>
              <td>{v.message}</td>
              <td>{new Date(v.createdAt).toLocaleString()}</td>
              <td>
                {v.current ? (
                  'deployed'
                ) : (
                  <button onClick={() => void rollback(v.version)} aria-label={`Roll back to version ${v.version}`}>
                    Roll back
                  </button>
                )}{' '}
                <button onClick={() => void showDiff(v.version)} aria-label={`Diff of version ${v.version}`}>
                  Diff
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
