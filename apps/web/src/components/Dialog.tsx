import { type ReactNode, useEffect, useId, useRef } from 'react';

/** A modal dialog: labelled, focus moves in and returns on close, Escape closes, Tab stays inside. */
export function Dialog({
  title,
  onClose,
  children,
  wide = false,
}: {
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}) {
  const id = useId();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = ref.current?.querySelector<HTMLElement>(
      'input, select, textarea, button:not([data-close]), [href], [tabindex]:not([tabindex="-1"])',
    );
    (first ?? ref.current)?.focus();
    return () => before?.focus?.();
  }, []);
  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
      return;
    }
    if (e.key !== 'Tab' || !ref.current) return;
    const items = [
      ...ref.current.querySelectorAll<HTMLElement>(
        'input:not([disabled]), select:not([disabled]), textarea, button:not([disabled]), [href]',
      ),
    ];
    if (items.length === 0) return;
    const f = items[0]!;
    const l = items[items.length - 1]!;
    if (e.shiftKey && document.activeElement === f) {
      e.preventDefault();
      l.focus();
    } else if (!e.shiftKey && document.activeElement === l) {
      e.preventDefault();
      f.focus();
    }
  };
  return (
    <div className="backdrop">
      <div
        ref={ref}
        className={`dialog ${wide ? 'wide' : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={id}
        tabIndex={-1}
        onKeyDown={onKey}
      >
        <header className="dialog-head">
          <h2 id={id}>{title}</h2>
          <button type="button" className="ghost" data-close onClick={onClose} aria-label="Close dialog">
            ×
          </button>
        </header>
        {children}
      </div>
    </div>
  );
}
