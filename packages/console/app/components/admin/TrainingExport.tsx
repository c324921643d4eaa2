import { useState } from 'react';
import type { AdminApi, Period } from '../../admin-api.js';
import { failureText } from './parts.js';

/**
 * Downloads the period's conversations whose customers consented to their use for training, redacted,
 * as JSONL in OpenAI's fine-tuning chat format (the service writes it and audits the export).
 */
export function TrainingExport(props: { admin: AdminApi; period: Period }) {
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState<string | null>(null);

  async function download() {
    setBusy(true);
    setStatus(null);
    try {
      const jsonl = await props.admin.trainingExport(props.period);
      const lines = jsonl.split('\n').filter((line) => line.trim() !== '').length;
      const url = URL.createObjectURL(new Blob([jsonl], { type: 'application/jsonl' }));
      const link = document.createElement('a');
      link.href = url;
      link.download = `training-${props.period.since.slice(0, 10)}-${props.period.until.slice(0, 10)}.jsonl`;
      link.click();
      URL.revokeObjectURL(url);
      setStatus(lines === 1 ? '1 consenting conversation exported.' : `${lines} consenting conversations exported.`);
    } catch (error) {
      setStatus(failureText(error));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="training-export">
      <button type="button" className="ghost" disabled={busy} onClick={() => void download()} data-testid="training-export">
        {busy ? 'Exporting…' : 'Export for training (JSONL)'}
      </button>
      <span className="muted" role="status" data-testid="training-export-status">
        {status}
      </span>
    </div>
  );
}
