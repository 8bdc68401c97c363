import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "./api.ts";

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Loads on mount and when `deps` change, then every `everyMs` (if given); keeps the last data on an error. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], everyMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  useEffect(() => {
    const run = latest.current + 1;
    latest.current = run;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const go = async () => {
      try {
        const data = await load();
        if (latest.current === run) setState({ data, loading: false });
      } catch (error) {
        if (latest.current === run) setState((s) => ({ data: s.data, error, loading: false }));
      }
      if (everyMs && latest.current === run) timer = setTimeout(go, everyMs);
    };
    void go();
    return () => {
      latest.current++;
      clearTimeout(timer);
    };
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** An API error in words: its code, message and every detail; never a blank page. */
export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  return (
    <div class="error" role="alert">
      <strong>{title ?? "Something went wrong"}</strong>
      {e ? (
        <>
          <p>
            <code>{e.code}</code> {e.status > 0 && <span class="muted">(HTTP {e.status})</span>} {e.message}
          </p>
          {e.details.length > 0 && (
            <ul>
              {e.details.map((d) => (
                <li key={`${d.path}:${d.message}`}>
                  {d.path && <code>{d.path}</code>} {d.message}
                </li>
              ))}
            </ul>
          )}
          {e.requestId && <p class="muted">request id {e.requestId}</p>}
        </>
      ) : (
        <p>{String((error as Error)?.message ?? error)}</p>
      )}
    </div>
  );
}

export const Loading = ({ what }: { what: string }) => (
  <p class="muted" aria-busy="true">
    Loading {what}…
  </p>
);

export const Empty = ({ children }: { children: ComponentChildren }) => <p class="empty">{children}</p>;

export const Status = ({ value }: { value: string }) => <span class={`status s-${value.toLowerCase()}`}>{value}</span>;

export function Panel(props: { title: string; id?: string; children: ComponentChildren; actions?: ComponentChildren }) {
  return (
    <section class="panel" aria-labelledby={props.id ? `${props.id}-h` : undefined} data-panel={props.id}>
      <header>
        <h2 id={props.id ? `${props.id}-h` : undefined}>{props.title}</h2>
        {props.actions}
      </header>
      {props.children}
    </section>
  );
}

/** A panel whose endpoint may not exist yet: loading, its error in words, or "not available". */
export function Maybe<T>(props: { what: string; loaded: Loaded<T | null>; children: (t: T) => ComponentChildren }) {
  const { data, error, loading } = props.loaded;
  if (error && data === undefined) return <ErrorBox error={error} title={`${props.what} could not be loaded`} />;
  if (data === undefined && loading) return <Loading what={props.what} />;
  if (data === null) return <p class="muted">Not available: this service does not offer {props.what} yet.</p>;
  return <>{data !== undefined && props.children(data)}</>;
}

/** A confirm dialog's state: opening clears the last outcome; a result keeps it open, none closes it. */
function useConfirm(act: () => Promise<ComponentChildren | undefined>, onDone?: () => void) {
  const ref = useRef<HTMLDialogElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [result, setResult] = useState<ComponentChildren | undefined>(undefined);
  const open = () => {
    setError(null);
    setResult(undefined);
    ref.current?.showModal();
  };
  const close = () => ref.current?.close();
  const confirm = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await act();
      if (r === undefined) close();
      else setResult(r);
      onDone?.();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return { ref, busy, error, result, open, close, confirm };
}

/**
 * A button that asks first: it opens a modal dialog (keyboard: Esc cancels, focus stays inside) that says
 * what will happen; only its Confirm button acts. The dialog shows the result or the error in words.
 */
export function ConfirmAction(props: {
  label: string;
  question: ComponentChildren;
  confirmLabel?: string;
  disabled?: boolean;
  /** Form fields shown in the dialog; `act` reads them. */
  fields?: ComponentChildren;
  act: () => Promise<ComponentChildren | undefined>;
  onDone?: () => void;
}) {
  const { ref, busy, error, result, open, close, confirm } = useConfirm(props.act, props.onDone);
  return (
    <>
      <button type="button" onClick={open} disabled={props.disabled}>
        {props.label}
      </button>
      <dialog ref={ref} aria-label={props.label}>
        <form onSubmit={confirm}>
          <h3>{props.label}</h3>
          <div>{props.question}</div>
          {props.fields}
          <ErrorBox error={error} title="Refused" />
          {result !== undefined && <div class="result">{result}</div>}
          <div class="buttons">
            {result === undefined && (
              <button type="submit" class="primary" disabled={busy}>
                {busy ? "Working…" : (props.confirmLabel ?? "Confirm")}
              </button>
            )}
            <button type="button" onClick={close}>
              {result === undefined ? "Cancel" : "Close"}
            </button>
          </div>
        </form>
      </dialog>
    </>
  );
}
