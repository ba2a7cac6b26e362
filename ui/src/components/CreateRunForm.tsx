import { useState } from 'react';
import { api } from '../api/client';
import { useNav } from '../hooks/useNav';
import { useRefresh } from '../hooks/useRefresh';
import { nowSeconds } from '../lib/format';
import { processParam } from '../lib/nav';
import { buildRunRequest, emptyForm, suggestRunId } from '../lib/runForm';
import type { FormErrors, RunFormValues } from '../lib/runForm';
import { DeadlineField } from './DeadlineField';
import { ErrorState } from './ErrorState';
import { Modal } from './Modal';
import { TagRowsEditor } from './TagRowsEditor';
import { useToast } from './Toast';

/** Starts a run with POST /processes/{name}, then opens its detail panel. */
export function CreateRunForm({ defaultName }: { defaultName: string }) {
  const nav = useNav();
  const { refresh } = useRefresh();
  const notify = useToast();
  const [values, setValues] = useState<RunFormValues>(() => emptyForm(defaultName));
  const [errors, setErrors] = useState<FormErrors>({});
  const [apiError, setApiError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<RunFormValues>) => setValues((v) => ({ ...v, ...patch }));
  const close = () => nav.update({ new: null });

  const submit = async () => {
    const built = buildRunRequest(values, nowSeconds());
    if (!built.ok) {
      setErrors(built.errors);
      return;
    }
    setErrors({});
    setApiError(null);
    setBusy(true);
    try {
      const run = await api.createRun(built.name, built.body);
      notify(`Run ${run.id || built.body.id} started`);
      nav.update({ new: null, process: processParam({ name: built.name, id: run.id || built.body.id }) });
      refresh();
    } catch (err) {
      setApiError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      title="Start a run"
      onClose={close}
      testId="create-run"
      footer={
        <>
          <button type="button" className="btn" onClick={close}>
            Cancel
          </button>
          <button type="submit" form="create-run-form" className="btn btn--primary" disabled={busy} data-testid="create-submit">
            {busy ? 'Starting…' : 'Start run'}
          </button>
        </>
      }
    >
      <form
        id="create-run-form"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
        style={{ display: 'flex', flexDirection: 'column', gap: 14 }}
      >
        <div className="form-grid">
          <label className={errors.name ? 'field field--error' : 'field'}>
            <span className="field__label">Process name</span>
            <input className="input" value={values.name} onChange={(e) => set({ name: e.target.value })} placeholder="account-activation" data-testid="create-name" />
            {errors.name ? <span className="field__error">{errors.name}</span> : null}
          </label>
          <label className={errors.id ? 'field field--error' : 'field'}>
            <span className="field__label">Run ID</span>
            <div className="row" style={{ flexWrap: 'nowrap' }}>
              <input className="input" style={{ flex: 1 }} value={values.id} onChange={(e) => set({ id: e.target.value })} placeholder="3 to 50 characters" data-testid="create-id" />
              <button type="button" className="btn btn--small" onClick={() => set({ id: suggestRunId() })} data-testid="create-generate-id">
                Generate
              </button>
            </div>
            {errors.id ? <span className="field__error">{errors.id}</span> : null}
          </label>
        </div>
        <DeadlineField values={values} error={errors.deadline} onChange={set} />
        <TagRowsEditor tags={values.tags} onChange={(tags) => set({ tags })} />
        {errors.tags ? <span className="field__error">{errors.tags}</span> : null}
        <label className={errors.context ? 'field field--error' : 'field'}>
          <span className="field__label">Context (JSON object, optional)</span>
          <textarea className="textarea" value={values.context} onChange={(e) => set({ context: e.target.value })} placeholder='{"customerId": "C1234"}' data-testid="create-context" />
          {errors.context ? <span className="field__error">{errors.context}</span> : null}
        </label>
      </form>
      {apiError ? <ErrorState error={apiError} title="The server refused this run" /> : null}
    </Modal>
  );
}
