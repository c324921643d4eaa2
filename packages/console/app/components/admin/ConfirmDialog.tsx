import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A modal question (the native <dialog>: focus kept inside, Escape cancels, focus
 * back where it was on close). Cancel comes first, so it is what has the focus.
 */
export function ConfirmDialog(props: { open: boolean; title: string; confirmLabel: string; onConfirm: () => void; onCancel: () => void; children: ReactNode; testId: string }) {
  const { open, title, confirmLabel, onConfirm, onCancel, children, testId } = props;
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const node = dialog.current;
    if (!node) return;
    if (open && !node.open) node.showModal();
    if (!open && node.open) node.close();
  }, [open]);

  return (
    <dialog
      ref={dialog}
      className="dialog"
      aria-labelledby={`${testId}-title`}
      aria-describedby={`${testId}-body`}
      data-testid={testId}
      onCancel={(event) => {
        event.preventDefault(); // Escape: closed through the state, like the buttons
        onCancel();
      }}
    >
      <h2 id={`${testId}-title`}>{title}</h2>
      <div id={`${testId}-body`} className="dialog-body">
        {children}
      </div>
      <div className="dialog-actions">
        <button type="button" onClick={onCancel} data-testid={`${testId}-cancel`}>
          Cancel
        </button>
        <button type="button" className="danger" onClick={onConfirm} data-testid={`${testId}-confirm`}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
