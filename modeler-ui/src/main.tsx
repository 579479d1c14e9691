/** Entry: load the language, ask who is signed in, then render the app. */
import { render } from 'preact';
import { App } from './App';
import { initI18n } from './i18n';
import { fetchSession } from './session';
import './styles.css';

const [, user] = await Promise.all([initI18n(), fetchSession()]);
render(<App initialUser={user} />, document.getElementById('app')!);
