/** The frame of every page: skip link, navigation by role, language switch, sign-out. */
import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso';
import { LANGUAGES, useI18n, type Language } from '../i18n';
import { AREAS, areasOf, signOut, useSession } from '../session';

/** Props of {@link Layout}. */
export interface LayoutProps {
  onLanguage(language: Language): void;
  children: ComponentChildren;
}

/** The page frame. */
export function Layout({ onLanguage, children }: LayoutProps) {
  const { t, language } = useI18n();
  const { user, setUser } = useSession();
  const { path, route } = useLocation();

  const logout = async () => {
    try {
      await signOut();
    } finally {
      setUser(null);
      route('/login');
    }
  };

  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header class="topbar">
        <a class="brand" href="/">
          {t('app.name')}
        </a>
        {user && (
          <nav class="mainnav" aria-label={t('nav.label')}>
            {areasOf(user).map((area) => (
              <a
                key={area}
                href={AREAS[area].path}
                aria-current={path.startsWith(AREAS[area].path) ? 'page' : undefined}
              >
                {t(`nav.${area}`)}
              </a>
            ))}
          </nav>
        )}
        <div class="topbar-end">
          <div class="language-switch" role="group" aria-label={t('nav.language')}>
            {LANGUAGES.map((lang) => (
              <button
                key={lang}
                type="button"
                lang={lang}
                aria-pressed={language === lang}
                onClick={() => onLanguage(lang)}
              >
                {t(`languages.${lang}`)}
              </button>
            ))}
          </div>
          {user && (
            <>
              <span class="user-name">{user.displayName}</span>
              <button type="button" class="secondary" onClick={logout}>
                {t('nav.logout')}
              </button>
            </>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
