/**
 * A user task's form, rendered by the form-js viewer: the task's input as data, the form's own
 * validation inline, and the server's refusals (`issues` by field key) shown on their fields.
 */
import { Form } from '@bpmn-io/form-js-viewer';
import '@bpmn-io/form-js-viewer/dist/assets/form-js.css';
import { useEffect, useImperativeHandle, useRef } from 'preact/hooks';
import type { Ref } from 'preact';
import { translateValidator } from './formMessages';

/** What the page can ask of the form. */
export interface TaskFormHandle {
  /** Validates; the data when valid, null when the form shows errors. */
  submit(): Record<string, unknown> | null;
  /** Shows the server's findings on the fields they name; returns those it could not place. */
  showIssues(issues: Array<{ field?: string; message: string }>): Array<{ field?: string; message: string }>;
}

/** Props of {@link TaskForm}. */
export interface TaskFormProps {
  schema: Record<string, unknown>;
  data: Record<string, unknown>;
  disabled: boolean;
  handle: Ref<TaskFormHandle>;
}

interface FieldRegistry {
  getAll(): Array<{ id: string; key?: string }>;
}

/** The form of one task. */
export function TaskForm({ schema, data, disabled, handle }: TaskFormProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const formRef = useRef<Form | null>(null);

  useEffect(() => {
    const form = new Form({ container: containerRef.current! });
    formRef.current = form;
    translateValidator(form.get('validator') as Parameters<typeof translateValidator>[0]);
    void form.importSchema(schema as any, data).then(() => form.setProperty('disabled', disabled));
    return () => form.destroy();
  }, [schema, data]);

  useEffect(() => {
    formRef.current?.setProperty('disabled', disabled);
  }, [disabled]);

  useImperativeHandle(handle, () => ({
    submit() {
      const { data: values, errors } = formRef.current!.submit();
      if (Object.keys(errors).length > 0) {
        // Keyboard users land on the first field in error.
        containerRef.current?.querySelector<HTMLElement>('.fjs-has-errors input, .fjs-has-errors textarea, .fjs-has-errors select')?.focus();
        return null;
      }
      return values as Record<string, unknown>;
    },
    showIssues(issues) {
      const form = formRef.current!;
      const fields = (form.get('formFieldRegistry') as FieldRegistry).getAll();
      const errors: Record<string, string[]> = {};
      const unplaced: typeof issues = [];
      for (const issue of issues) {
        const field = fields.find((f) => f.key === issue.field);
        if (field) (errors[field.id] ??= []).push(issue.message);
        else unplaced.push(issue);
      }
      form._setState({ errors });
      containerRef.current?.querySelector<HTMLElement>('.fjs-has-errors input, .fjs-has-errors textarea, .fjs-has-errors select')?.focus();
      return unplaced;
    },
  }));

  return <div class="task-form" ref={containerRef} />;
}
