import { useState } from 'react';
import { getApiKey, setApiKey } from '../api/apiKey';
import { Modal } from './Modal';

interface Props {
  onClose: () => void;
  /** Set when a request was just refused with 401. */
  reason?: string | null;
}

export function ApiKeyDialog({ onClose, reason }: Props) {
  const [value, setValue] = useState(getApiKey);
  const hadKey = getApiKey() !== '';

  const save = (key: string) => {
    setApiKey(key);
    onClose();
  };

  return (
    <Modal
      title="API key"
      onClose={onClose}
      testId="api-key-dialog"
      footer={
        <>
          {hadKey ? (
            <button type="button" className="btn" onClick={() => save('')} data-testid="api-key-clear">
              Forget key
            </button>
          ) : null}
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" form="api-key-form" className="btn btn--primary" data-testid="api-key-save">
            Save
          </button>
        </>
      }
    >
      {reason ? (
        <div className="banner" data-testid="api-key-reason">
          {reason}
        </div>
      ) : null}
      <p className="muted" style={{ margin: 0 }}>
        Servers configured with <code>TOTRACKIT_API_KEY</code> require it on every <code>/processes</code> call. The key
        is kept in this browser&apos;s local storage and sent as the <code>X-API-KEY</code> header.
      </p>
      <form
        id="api-key-form"
        onSubmit={(e) => {
          e.preventDefault();
          save(value);
        }}
      >
        <label className="field">
          <span className="field__label">X-API-KEY</span>
          <input
            className="input"
            type="password"
            autoComplete="off"
            autoFocus
            value={value}
            onChange={(e) => setValue(e.target.value)}
            placeholder="Leave empty for servers without a key"
            data-testid="api-key-input"
          />
        </label>
      </form>
    </Modal>
  );
}
