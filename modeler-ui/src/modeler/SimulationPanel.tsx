/**
 * Simulation mode (CLOCK=simulated only): start an instance of the process on the diagram and
 * advance the engine's clock, to watch a long case run in seconds.
 */
import { useEffect, useState } from 'preact/hooks';
import { get, post } from '../api';
import { useI18n } from '../i18n';

/** Props of {@link SimulationPanel}. */
export interface SimulationPanelProps {
  processId: string;
}

/** The simulation controls; nothing when the clock is the wall clock. */
export function SimulationPanel({ processId }: SimulationPanelProps) {
  const { t, formatDateTime } = useI18n();
  const [clock, setClock] = useState<{ time: string; kind: string } | null>(null);
  const [variables, setVariables] = useState('{}');
  const [duration, setDuration] = useState('P1D');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  useEffect(() => {
    get<{ time: string; kind: string }>('/api/clock').then(setClock, () => setClock(null));
  }, []);
  if (clock?.kind !== 'simulated') return null;

  const start = async (event: Event) => {
    event.preventDefault();
    try {
      const parsed = JSON.parse(variables || '{}');
      const result = await post<{ instanceKey: string }>('/api/simulation/instances', { processId, variables: parsed });
      setMessage({ ok: true, text: t('simulation.started', { instanceKey: result.instanceKey }) });
    } catch (err) {
      setMessage({ ok: false, text: t('simulation.failed', { reason: (err as Error).message }) });
    }
  };

  const advance = async (event: Event) => {
    event.preventDefault();
    try {
      setClock(await post<{ time: string; kind: string }>('/api/clock/advance', { duration }));
      setMessage(null);
    } catch (err) {
      setMessage({ ok: false, text: t('simulation.failed', { reason: (err as Error).message }) });
    }
  };

  return (
    <section class="simulation card" aria-labelledby="simulation-title">
      <h2 id="simulation-title">{t('simulation.title')}</h2>
      <p class="muted">{t('simulation.clock', { time: formatDateTime(clock.time) })}</p>
      <form class="inline-form" onSubmit={start}>
        <label>
          {t('simulation.variables')}
          <input value={variables} onInput={(e) => setVariables(e.currentTarget.value)} spellcheck={false} />
        </label>
        <button type="submit" class="secondary">
          {t('simulation.start')}
        </button>
      </form>
      <form class="inline-form" onSubmit={advance}>
        <label>
          {t('simulation.duration')}
          <input value={duration} onInput={(e) => setDuration(e.currentTarget.value)} spellcheck={false} />
        </label>
        <button type="submit" class="secondary">
          {t('simulation.advance')}
        </button>
      </form>
      {message && (
        <p class={message.ok ? 'notice success' : 'notice error'} role="status">
          {message.text}
        </p>
      )}
    </section>
  );
}
