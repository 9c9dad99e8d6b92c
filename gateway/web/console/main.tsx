import { StrictMode, useEffect, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { readToken, session } from './api';
import { AuditView } from './audit';
import { DisputesView } from './disputes';
import { GrantsView } from './grants';
import { InboxView } from './inbox';
import { UsageView } from './usage';
import { MESSAGES, type Lang, type Messages } from './messages';
import '../base.css';
import './console.css';

/**
 * The CDOs' desk: an inbox of the agency's grant requests, the disputes over its values, the register of its grants, the usage
 * of its data, the audit trail's state and its schema versions, over the admin API. Chinese by
 * default, English on request (kept for the tab's session). The page holds no data of its own:
 * signed out it shows only the sign-in.
 */

interface ConsoleConfig {
  assets: string;
  development: boolean;
  cdoIdentities: { consumer: string; name: string; role: string; command: string }[];
}

const config = JSON.parse(document.getElementById('console-config')!.textContent!) as ConsoleConfig;
const LANG_KEY = 'cdo-console.lang';
const PAGES = ['inbox', 'disputes', 'grants', 'usage', 'audit'] as const;
type Page = (typeof PAGES)[number];
const PAGE_TITLES = {
  inbox: 'inbox',
  disputes: 'disputesNav',
  grants: 'grants',
  usage: 'usageNav',
  audit: 'auditNav',
} as const;

function SignIn({ t, onToken }: { t: Messages; onToken: (token: string) => void }) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string>();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const token = text.trim();
    const claims = readToken(token);
    if (!claims) return setProblem(t.notToken);
    if (!claims.agencies.length) return setProblem(t.notCdo);
    onToken(token);
  };
  return (
    <section className="sign-in" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">{t.signInTitle}</h2>
      <p>{t.signInHelp}</p>
      <form onSubmit={submit}>
        <label>
          {t.tokenLabel}
          <textarea name="token" rows={4} value={text} onChange={(e) => setText(e.target.value)} />
        </label>
        <button type="submit">{t.signIn}</button>
        {problem && (
          <p role="alert" className="problem">
            {problem}
          </p>
        )}
      </form>
      {config.development && config.cdoIdentities.length > 0 && (
        <div className="dev-help">
          <p>{t.devHelp}</p>
          <ul>
            {config.cdoIdentities.map((identity) => (
              <li key={`${identity.consumer} ${identity.role}`}>
                <span>
                  {identity.name} ({identity.role})
                </span>
                <code>{identity.command}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}

function App() {
  const [lang, setLang] = useState<Lang>(sessionStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'zh');
  const [token, setToken] = useState(session.token());
  const [view, setView] = useState<Page>('inbox');
  const t = MESSAGES[lang];
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    document.title = `${t.title} · cdo-hub`;
    sessionStorage.setItem(LANG_KEY, lang);
  }, [lang, t]);
  const claims = token ? readToken(token) : undefined;
  const agency = claims?.agencies[0];
  const signOut = () => {
    session.clear();
    setToken(null);
  };
  return (
    <>
      <header>
        <h1>{t.title}</h1>
        {token && agency && (
          <nav aria-label={t.title}>
            {PAGES.map((page) => (
              <button key={page} aria-pressed={view === page} onClick={() => setView(page)}>
                {t[PAGE_TITLES[page]]}
              </button>
            ))}
          </nav>
        )}
        <div className="who">
          {token && claims && (
            <>
              <span>
                {t.signedInAs}: <strong>{claims.consumer}</strong> · {t.agency}: <strong>{agency}</strong>
              </span>
              <button onClick={signOut}>{t.signOut}</button>
            </>
          )}
          <button className="lang" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')}>
            {t.switchLang}
          </button>
        </div>
      </header>
      <main>
        {!token || !agency ? (
          <SignIn
            t={t}
            onToken={(value) => {
              session.save(value);
              setToken(value);
            }}
          />
        ) : view === 'inbox' ? (
          <InboxView t={t} lang={lang} token={token} agency={agency} />
        ) : view === 'disputes' ? (
          <DisputesView t={t} token={token} agency={agency} />
        ) : view === 'grants' ? (
          <GrantsView t={t} token={token} agency={agency} />
        ) : view === 'usage' ? (
          <UsageView t={t} token={token} agency={agency} />
        ) : (
          <AuditView t={t} token={token} agency={agency} />
        )}
      </main>
    </>
  );
}

createRoot(document.getElementById('console')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
