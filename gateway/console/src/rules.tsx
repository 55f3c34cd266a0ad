import { useEffect, useRef, useState } from 'preact/hooks';
import { api, liveEvents, type Role } from './api.js';
import { fmtTime, t, useLang } from './i18n.js';
import { can } from './roles.js';
import type { CodeEditor } from './editor.js';

interface Issue { line: number; column: number; message: string }
interface Version { version: number; author: string; message: string; createdAt: number; current: boolean; rules: unknown; yaml: string }
interface Alarm { alarmKey: string; ruleId: string }
interface Backtest { comparison: { added: Alarm[]; removed: Alarm[] }; inputs: number }

/** An alarm key names its appliance ("hub/appliance|rule|key"): the backtest links each alarm to the appliance's page. */
function AlarmLink({ a }: { a: Alarm }) {
  const [who = ''] = a.alarmKey.split('|');
  const [hub, app] = who.split('/');
  return (
    <li>
      {a.ruleId} · {hub !== undefined && app !== undefined && app !== '' ? <a href={`#/appliance/${encodeURIComponent(hub)}/${encodeURIComponent(app)}`}>{who}</a> : who}
    </li>
  );
}

/** Two versions side by side, lines only one side has marked. */
function SideBySide({ left, right, labels }: { left: string; right: string; labels: [string, string] }) {
  const l = left.split('\n');
  const r = right.split('\n');
  const inR = new Set(r);
  const inL = new Set(l);
  return (
    <div class="diff2" role="group" aria-label={t('Diff')}>
      {[
        [l, inR, labels[0], 'del'],
        [r, inL, labels[1], 'ins'],
      ].map(([lines, other, label, cls]) => (
        <div key={label as string}>
          <h3>{label as string}</h3>
          <pre>
            {(lines as string[]).map((x, i) => (
              <div key={i} class={(other as Set<string>).has(x) ? '' : (cls as string)}>
                {x || ' '}
              </div>
            ))}
          </pre>
        </div>
      ))}
    </div>
  );
}

export function RuleEditor({ role }: { role: Role }) {
  useLang();
  const host = useRef<HTMLDivElement>(null);
  const editor = useRef<CodeEditor | null>(null);
  const [text, setText] = useState('');
  const [issues, setIssues] = useState<Issue[]>([]);
  const [versions, setVersions] = useState<Version[]>([]);
  const [bt, setBt] = useState<Backtest | null>(null);
  const [message, setMessage] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [diff, setDiff] = useState<{ v: Version; current: Version } | null>(null);
  const [base, setBase] = useState<number | null>(null);

  const loadVersions = async (): Promise<Version[]> => {
    const vs = (await api<{ items: Version[] }>('GET', '/api/v1/rules/versions')).items;
    setVersions(vs);
    return vs;
  };
  // After a deploy or rollback everything derived from the old text goes: problems, backtest, diff.
  const loadDeployed = async (): Promise<void> => {
    const r = await api<{ yaml: string; version: number }>('GET', '/api/v1/rules');
    setText(r.yaml);
    editor.current?.setText(r.yaml);
    setBase(r.version);
    setIssues([]);
    setBt(null);
    setDiff(null);
    await loadVersions();
  };
  useEffect(() => {
    let gone = false;
    void import('./editor.js').then(({ createEditor }) => {
      if (gone || host.current === null) return;
      editor.current = createEditor(host.current, t('Rule set (YAML)'), setText, document.documentElement.dataset.theme === 'dark');
      void loadDeployed().catch((err: Error) => setError(err.message));
    });
    // A deploy or rollback, anyone's, comes on the live stream: the version list follows it (and after a gap, 'reset').
    const stop = liveEvents((type, data) => {
      if (type === 'reset' || type === 'rules') void loadVersions().catch(() => undefined);
      if (type === 'rules' && typeof data.version === 'number') setNotice(t('{who} deployed version {v}', { who: String(data.author ?? '?'), v: data.version }));
    });
    return () => {
      gone = true;
      stop();
      editor.current?.destroy();
    };
  }, []);
  useEffect(() => {
    if (text === '' || !can(role, 'backtest')) return;
    const timer = setTimeout(() => {
      void api<{ issues: Issue[] }>('POST', '/api/v1/rules/validate', { files: [{ name: 'rules.yaml', text }] }).then(
        (r) => {
          setIssues(r.issues);
          editor.current?.setIssues(r.issues);
        },
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
      if (!confirm(t('Deploy this rule set?'))) return;
      const r = await api<{ version: number }>('POST', '/api/v1/rules/deploy', { files: [{ name: 'rules.yaml', text }], message, ...(base !== null ? { baseVersion: base } : {}) });
      await loadDeployed();
      setMessage('');
      setNotice(`v${r.version}`);
    });
  const rollback = (v: number): Promise<void> =>
    act(async () => {
      if (!confirm(t('Roll back to version {v}?', { v }))) return;
      const r = await api<{ version: number }>('POST', '/api/v1/rules/rollback', { version: v });
      await loadDeployed();
      setNotice(`v${v} → v${r.version}`);
    });
  const current = versions.find((v) => v.current);
  const deployer = can(role, 'deploy');
  return (
    <section>
      <h1>{t('Rules')}</h1>
      {base !== null && <p>v{base}</p>}
      {notice !== null && <p role="status">{notice}</p>}
      {error !== null && <p role="alert" class="error">{error}</p>}
      <div class="editor">
        <p id="rules-label">{t('Rule set (YAML)')}</p>
        <div ref={host} class="code" aria-labelledby="rules-label" />
        <ul class="issues" aria-label={t('No problems')} aria-live="polite">
          {issues.map((i, n) => (
            <li key={n} class="error">
              <button class="link" onClick={() => editor.current?.goTo(i.line, i.column)}>
                {t('line {l}, column {c}', { l: i.line, c: i.column })}
              </button>
              : {i.message}
            </li>
          ))}
          {issues.length === 0 && text !== '' && <li class="ok">{t('No problems')}</li>}
        </ul>
      </div>
      <div class="actions">
        {can(role, 'backtest') && (
          <button onClick={() => void backtest()} disabled={issues.length > 0}>
            {t('Backtest')}
          </button>
        )}
        {deployer && (
          <>
            <label>
              {t('Deploy message')}
              <input name="message" value={message} onInput={(e) => setMessage(e.currentTarget.value)} />
            </label>
            <button onClick={() => void deploy()} disabled={issues.length > 0 || message === ''}>
              {t('Deploy')}
            </button>
          </>
        )}
      </div>
      {bt !== null && (
        <div class="grid" data-testid="backtest">
          <div class="card">
            <h2>
              {t('Alarms added')} ({bt.comparison.added.length})
            </h2>
            <ul>{bt.comparison.added.map((a) => <AlarmLink key={a.alarmKey} a={a} />)}</ul>
          </div>
          <div class="card">
            <h2>
              {t('Alarms removed')} ({bt.comparison.removed.length})
            </h2>
            <ul>{bt.comparison.removed.map((a) => <AlarmLink key={a.alarmKey} a={a} />)}</ul>
          </div>
        </div>
      )}
      <h2>{t('Versions')}</h2>
      {diff !== null && <SideBySide left={diff.v.yaml} right={diff.current.yaml} labels={[`v${diff.v.version}`, `v${diff.current.version}`]} />}
      <table aria-label={t('Versions')}>
        <tbody>
          {versions.map((v) => (
            <tr key={v.version}>
              <th scope="row">v{v.version}</th>
              <td>{v.author}</td>
              <td>{v.message}</td>
              <td>{fmtTime(v.createdAt)}</td>
              <td>
                {v.current
                  ? '✓'
                  : deployer && (
                      <button onClick={() => void rollback(v.version)} aria-label={`${t('Roll back')} v${v.version}`}>
                        {t('Roll back')}
                      </button>
                    )}{' '}
                {!v.current && current !== undefined && (
                  <button onClick={() => setDiff({ v, current })} aria-label={`${t('Diff')} v${v.version}`}>
                    {t('Diff')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
