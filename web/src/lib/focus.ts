/** Focus helpers for modals: what can take focus inside an element, and where focus goes back to. */

const FOCUSABLE = [
  'a[href]',
  'button:not([disabled])',
  'input:not([disabled]):not([type="hidden"])',
  'select:not([disabled])',
  'textarea:not([disabled])',
  '[tabindex]:not([tabindex="-1"])',
].join(',');

/** Elements inside `root` that Tab reaches, in order (hidden ones left out). */
export function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.getClientRects().length > 0);
}

/**
 * Keeps Tab and Shift+Tab inside `root` (a native modal dialog lets focus leave to the page's
 * top once per cycle). Call from the root's keydown handler.
 */
export function trapTab(root: HTMLElement, event: KeyboardEvent | { key: string; shiftKey: boolean; preventDefault(): void }) {
  if (event.key !== 'Tab') return;
  const items = focusables(root);
  const first = items[0];
  const last = items[items.length - 1];
  if (!first || !last) {
    event.preventDefault();
    return;
  }
  const active = document.activeElement;
  const inside = active instanceof Node && root.contains(active);
  if (event.shiftKey && (active === first || !inside)) {
    event.preventDefault();
    last.focus();
  } else if (!event.shiftKey && (active === last || !inside)) {
    event.preventDefault();
    first.focus();
  }
}

/**
 * Gives focus back to the control that opened a modal, once every modal closing with it is gone
 * (a microtask later: a still-open modal makes the page inert). If that control is gone too (the
 * row it was in changed) and focus fell to the document, a modal still open (the one this one was
 * opened from) or else the page's main heading takes it.
 */
export function restoreFocus(opener: Element | null): void {
  queueMicrotask(() => {
    if (opener instanceof HTMLElement && opener.isConnected && opener.getClientRects().length > 0) {
      opener.focus();
      if (document.activeElement === opener) return;
    }
    const active = document.activeElement;
    if (active && active !== document.body && active.isConnected) return;
    const open = [...document.querySelectorAll<HTMLDialogElement>('dialog[open]')].pop();
    const target = open ? focusables(open)[0] : document.querySelector<HTMLElement>('main h1');
    target?.focus();
  });
}
