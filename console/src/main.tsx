import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ApiError, api, onUnauthorized, token } from "./api.ts";
import { ErrorBox, Loading } from "./components.tsx";
import { BusinessDatePage } from "./pages/business-date.tsx";
import { LoanPage } from "./pages/loan.tsx";
import { OperationsPage } from "./pages/operations.tsx";
import { PipelinePage } from "./pages/pipeline.tsx";
import { onLink, useLocation } from "./router.ts";
import "./styles.css";

/** Whether the services want a key, and whether the one kept for this session is good: one cheap call. */
async function probe(): Promise<"ok" | "key"> {
  try {
    await api("pe", "/agreements?limit=1");
    return "ok";
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return "key";
    throw err;
  }
}

function KeyForm({ onDone, refused }: { onDone: () => void; refused: boolean }) {
  const [value, setValue] = useState("");
  const [error, setError] = useState<unknown>(null);
  const submit = async (e: Event) => {
    e.preventDefault();
    token.set(value.trim());
    try {
      if ((await probe()) === "ok") return onDone();
      token.clear();
      setError(new ApiError(401, "UNAUTHORIZED", "the services did not accept this key"));
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form class="keyform panel" onSubmit={submit}>
      <h1>Loans console</h1>
      <p>
        {refused
          ? "The services refused the key of this session."
          : "The services ask for an API key. Give a key, or the admin token to also see Operations and move the business date."}{" "}
        It is kept in this browser tab only, until it closes.
      </p>
      <label for="key">API key or admin token</label>
      <input
        id="key"
        type="password"
        autocomplete="off"
        required
        value={value}
        onInput={(e) => setValue((e.target as HTMLInputElement).value)}
      />
      <button type="submit" class="primary">
        Continue
      </button>
      <ErrorBox error={error} title="Not accepted" />
    </form>
  );
}

const NAV = [
  { href: "/", label: "Pipeline" },
  { href: "/operations", label: "Operations" },
  { href: "/business-date", label: "Business date" },
];

type Gate = "probing" | "ok" | "key" | "refused";

/** Whether the console shows its pages or asks for a key: probed once, asked again on any 401. */
function useGate() {
  const [gate, setGate] = useState<Gate>("probing");
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    probe().then(setGate, (err) => {
      setError(err);
      setGate("ok");
    });
    return onUnauthorized(() => setGate(token.get() ? "refused" : "key"));
  }, []);
  return { gate, setGate, error };
}

function TopBar({ current, onForget }: { current: (href: string) => boolean; onForget: () => void }) {
  return (
    <header class="top">
      <a href="/" onClick={onLink} class="brand">
        Loans console
      </a>
      <nav aria-label="Pages">
        {NAV.map((n) => (
          <a key={n.href} href={n.href} onClick={onLink} aria-current={current(n.href) ? "page" : undefined}>
            {n.label}
          </a>
        ))}
      </nav>
      {token.get() && (
        <button type="button" class="link" onClick={onForget}>
          Forget key
        </button>
      )}
    </header>
  );
}

/** The page at `path`: a loan's (`loan` is its id as written in the path), one of the NAV pages, or none. */
function CurrentPage({ path, loan }: { path: string; loan: string | undefined }) {
  if (loan !== undefined) return <LoanPage id={decodeURIComponent(loan)} />;
  if (path === "/operations") return <OperationsPage />;
  if (path === "/business-date") return <BusinessDatePage />;
  if (path === "/") return <PipelinePage />;
  return (
    <p>
      No page here.{" "}
      <a href="/" onClick={onLink}>
        Go to the pipeline
      </a>
      .
    </p>
  );
}

function App() {
  const { path } = useLocation();
  const { gate, setGate, error } = useGate();
  if (gate === "probing") return <Loading what="the console" />;
  if (gate === "key" || gate === "refused")
    return <KeyForm refused={gate === "refused"} onDone={() => setGate("ok")} />;
  const loan = /^\/loans\/([^/]+)$/.exec(path);
  const current = (href: string) => (href === "/" ? path === "/" || !!loan : path.startsWith(href));
  const forget = () => {
    token.clear();
    setGate("key");
  };
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <TopBar current={current} onForget={forget} />
      <main id="main">
        <ErrorBox error={error} title="The services could not be reached" />
        <CurrentPage path={path} loan={loan?.[1]} />
      </main>
    </>
  );
}

render(<App />, document.getElementById("app")!);
