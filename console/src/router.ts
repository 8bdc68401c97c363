import { useEffect, useState } from "preact/hooks";

/** A few lines of history routing: every page and every loan has its own URL. */
export function navigate(to: string) {
  if (to === location.pathname + location.search) return;
  history.pushState(null, "", to);
  dispatchEvent(new PopStateEvent("popstate"));
}

export function useLocation(): { path: string; query: URLSearchParams } {
  const [, setTick] = useState(0);
  useEffect(() => {
    const f = () => setTick((n) => n + 1);
    addEventListener("popstate", f);
    return () => removeEventListener("popstate", f);
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

/** A link that navigates without reloading, and still opens in a new tab on ctrl/middle click. */
export function onLink(e: MouseEvent) {
  const a = (e.currentTarget as HTMLAnchorElement | null) ?? null;
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(a.getAttribute("href") ?? "/");
}
