/**
 * A modal on the native <dialog> element, rendered only while open. Focus moves into it, Tab and
 * Shift+Tab stay inside it, Escape and the backdrop call `onClose`, and on closing focus returns to
 * the control that opened it.
 */
import { useId, useLayoutEffect, useRef, type ReactNode, type RefObject } from 'react';
import { restoreFocus, trapTab } from '../lib/focus';

interface DialogProps {
  title: string;
  description?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
  /** Set while something runs that must not be interrupted. */
  busy?: boolean;
  /** Extra class, e.g. the navigation drawer's. */
  className?: string;
  /** Title shown only to screen readers. */
  hideTitle?: boolean;
}

/** Opens a native dialog as a modal for as long as the component is mounted, and returns focus after. */
export function useModal(ref: RefObject<HTMLDialogElement | null>): void {
  useLayoutEffect(() => {
    const dialog = ref.current;
    const opener = document.activeElement;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      dialog?.close();
      restoreFocus(opener);
    };
  }, [ref]);
}

export function Dialog({ title, description, onClose, children, wide, busy, className, hideTitle }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  useModal(ref);
  return (
    <dialog
      ref={ref}
      className={['dialog', wide ? 'dialog-wide' : '', className ?? ''].filter(Boolean).join(' ')}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onCancel={(event) => {
        // Only this dialog's own cancel (a nested dialog's Escape is its own business).
        if (event.target !== ref.current) return;
        event.preventDefault();
        if (!busy) onClose();
      }}
      onKeyDown={(event) => {
        if (ref.current && (event.target as Element).closest('dialog') === ref.current) trapTab(ref.current, event);
      }}
      onClick={(event) => {
        if (event.target === ref.current && !busy) onClose();
      }}
    >
      <div className="dialog-body">
        <h2 id={titleId} className={hideTitle ? 'sr-only' : 'dialog-title'}>
          {title}
        </h2>
        {description ? (
          <div id={descriptionId} className="dialog-description">
            {description}
          </div>
        ) : null}
        {children}
      </div>
    </dialog>
  );
}
