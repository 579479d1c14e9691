/**
 * The app shell: language and session contexts, the router with every deep-linkable page, and
 * the layout around them. Heavy pages (modeler, diagrams, forms) load on demand.
 */
import { ErrorBoundary, LocationProvider, Router, lazy, useLocation } from 'preact-iso';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { onUnauthorized } from './api';
import { Layout } from './components/Layout';
import { I18nContext, changeLanguage, createI18n, storedLanguage, useI18n, type Language } from './i18n';
import { LoginPage } from './pages/LoginPage';
import { AREAS, SessionContext, forgetSession, hasRole, homeOf, useSession, type Area, type User } from './session';

const ModelerPage = lazy(() => import('./pages/ModelerPage').then((m) => m.ModelerPage));
const TasksPage = lazy(() => import('./pages/TasksPage').then((m) => m.TasksPage));
const CasePage = lazy(() => import('./pages/CasePage').then((m) => m.CasePage));
const SupervisorPage = lazy(() => import('./pages/SupervisorPage').then((m) => m.SupervisorPage));
const InstancePage = lazy(() => import('./pages/InstancePage').then((m) => m.InstancePage));

/** Props of {@link App}. */
export interface AppProps {
  initialUser: User | null;
}

/** The whole application. */
export function App({ initialUser }: AppProps) {
  const [user, setUser] = useState<User | null>(initialUser);
  const [language, setLanguage] = useState<Language>(storedLanguage());
  const i18n = useMemo(() => createI18n(language), [language]);
  const session = useMemo(() => ({ user, setUser }), [user]);
  const switchLanguage = async (next: Language) => {
    await changeLanguage(next);
    setLanguage(next);
  };
  useEffect(
    () =>
      onUnauthorized(() => {
        forgetSession();
        setUser(null);
      }),
    [],
  );
  useEffect(() => {
    document.title = i18n.t('app.title');
  }, [i18n]);

  return (
    <I18nContext.Provider value={i18n}>
      <SessionContext.Provider value={session}>
        <LocationProvider>
          <Layout onLanguage={switchLanguage}>
            <ErrorBoundary>
              <Router>
                <LoginPage path="/login" />
                <Home path="/" />
                <Guard path="/modeler" area="modeler" page={ModelerPage} />
                <Guard path="/modeler/:processId" area="modeler" page={ModelerPage} />
                <Guard path="/tasks" area="tasks" page={TasksPage} />
                <Guard path="/tasks/:taskKey" area="tasks" page={TasksPage} />
                <Guard path="/cases/:caseId" area="tasks" page={CasePage} />
                <Guard path="/supervisor" area="supervisor" page={SupervisorPage} />
                <Guard path="/supervisor/instances/:instanceKey" area="supervisor" page={InstancePage} />
                <NotFound default />
              </Router>
            </ErrorBoundary>
          </Layout>
        </LocationProvider>
      </SessionContext.Provider>
    </I18nContext.Provider>
  );
}

function Home(_props: { path: string }) {
  const { user } = useSession();
  const { route } = useLocation();
  useEffect(() => route(user ? homeOf(user) : '/login', true), [user]);
  return null;
}

interface GuardProps {
  path: string;
  area: Area;
  page: (props: { params: Record<string, string> }) => ComponentChildren;
  params?: Record<string, string>;
}

/** Signed out: to the sign-in page (and back afterwards). Without the role: a refusal. */
function Guard({ area, page: Page, params }: GuardProps) {
  const { user } = useSession();
  const { route, url } = useLocation();
  const { t } = useI18n();
  useEffect(() => {
    if (!user) route(`/login?next=${encodeURIComponent(url)}`, true);
  }, [user]);
  if (!user) return null;
  if (!hasRole(user, AREAS[area].roles)) {
    return (
      <section class="page narrow">
        <h1>{t('errors.forbiddenTitle')}</h1>
        <p>{t('errors.forbidden')}</p>
      </section>
    );
  }
  return <Page params={params ?? {}} />;
}

function NotFound(_props: { default: boolean }) {
  const { t } = useI18n();
  return (
    <section class="page narrow">
      <h1>{t('errors.notFoundTitle')}</h1>
      <p>{t('errors.notFound')}</p>
      <a href="/">{t('nav.home')}</a>
    </section>
  );
}
