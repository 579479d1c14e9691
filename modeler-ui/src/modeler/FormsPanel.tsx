/**
 * The form editor (form-js editor) for the forms of user tasks: open a deployed form or a file,
 * edit, download, deploy as `<formId>.form`.
 */
import { FormEditor } from '@bpmn-io/form-js-editor';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import '@bpmn-io/form-js-editor/dist/assets/form-js-editor.css';
import '@bpmn-io/form-js-editor/dist/assets/properties-panel.css';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from '../api';
import { useI18n } from '../i18n';
import { deploy, fetchForm, listForms } from './api';
import { download } from './diagrams';

function blankForm(id: string) {
  return { type: 'default', id, components: [], schemaVersion: 18 };
}

/** The forms tab of the modeler. */
export function FormsPanel() {
  const { t } = useI18n();
  const containerRef = useRef<HTMLDivElement>(null);
  const editorRef = useRef<FormEditor | null>(null);
  const [forms, setForms] = useState<Array<{ formId: string; latestVersion: number }> | null>(null);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const refresh = () => listForms().then(setForms, () => setForms([]));

  useEffect(() => {
    const editor = new FormEditor({ container: containerRef.current! });
    editorRef.current = editor;
    void editor.importSchema(blankForm(`Form_${Math.random().toString(36).slice(2, 9)}`));
    void refresh();
    return () => editor.destroy();
  }, []);

  const open = async (formId: string) => {
    try {
      await editorRef.current!.importSchema(await fetchForm(formId));
      setMessage(null);
    } catch (err) {
      setMessage({ ok: false, text: t('forms.loadFailed', { reason: (err as Error).message }) });
    }
  };

  const onFile = async (event: Event) => {
    const input = event.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    input.value = '';
    if (!file) return;
    try {
      await editorRef.current!.importSchema(JSON.parse(await file.text()));
      setMessage(null);
    } catch (err) {
      setMessage({ ok: false, text: t('forms.loadFailed', { reason: (err as Error).message }) });
    }
  };

  const schema = () => editorRef.current!.saveSchema() as { id?: string };

  const runDeploy = async () => {
    const current = schema();
    try {
      const result = await deploy([{ name: `${current.id}.form`, content: JSON.stringify(current, null, 2) }]);
      const form = result.forms[0];
      setMessage({ ok: true, text: t('forms.deployed', { formId: form?.formId ?? current.id, version: form?.version ?? '?' }) });
      void refresh();
    } catch (err) {
      const issues = err instanceof ApiError ? (err.problem.issues ?? []) : [];
      const reasons = [err instanceof Error ? err.message : String(err), ...issues.map((i) => i.message)].join(' – ');
      setMessage({ ok: false, text: t('forms.deployFailed', { reason: reasons }) });
    }
  };

  return (
    <div class="forms-panel">
      <div class="modeler-toolbar">
        <label class="inline-label">
          {t('forms.deployedForms')}
          <select onChange={(e) => e.currentTarget.value && open(e.currentTarget.value)} value="">
            <option value="">{forms === null ? t('common.loading') : t('forms.choose')}</option>
            {forms?.map((form) => (
              <option key={form.formId} value={form.formId}>
                {form.formId} ({t('modeler.versionShort', { version: form.latestVersion })})
              </option>
            ))}
          </select>
        </label>
        <button type="button" class="secondary" onClick={() => editorRef.current!.importSchema(blankForm(`Form_${Math.random().toString(36).slice(2, 9)}`))}>
          {t('forms.new')}
        </button>
        <label class="button secondary file-button">
          {t('forms.open')}
          <input type="file" accept=".form,.json,application/json" class="visually-hidden" onChange={onFile} />
        </label>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            const current = schema();
            download(`${current.id ?? 'form'}.form`, JSON.stringify(current, null, 2), 'application/json');
          }}
        >
          {t('forms.download')}
        </button>
        <button type="button" onClick={runDeploy}>
          {t('forms.deploy')}
        </button>
      </div>
      {message && (
        <p class={message.ok ? 'notice success' : 'notice error'} role="status">
          {message.text}
        </p>
      )}
      <div class="form-editor" ref={containerRef} />
    </div>
  );
}
