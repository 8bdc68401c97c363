import { type ComponentType, render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { onUnauthorized, token } from "./api.ts";
import { ErrorBox, Loading, useLoad } from "./components.tsx";
import { ApprovalsPage } from "./pages/approvals.tsx";
import { AuditPage } from "./pages/audit.tsx";
import { BusinessDatePage } from "./pages/business-date.tsx";
import { CalendarPage } from "./pages/calendar.tsx";
import { LoanPage } from "./pages/loan.tsx";
import { OperationsPage } from "./pages/operations.tsx";
import { OperatorsPage } from "./pages/operators.tsx";
import { PipelinePage } from "./pages/pipeline.tsx";
import { onLink, useLocation } from "./router.ts";
import { type Session, SessionProvider, whoAmI } from "./session.ts";
import { KeyForm, navFor, probe, TopBar } from "./shell.tsx";
import "./styles.css";

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

const PAGES: Record<string, ComponentType> = {
  "/": PipelinePage,
  "/operations": OperationsPage,
  "/business-date": BusinessDatePage,
  "/calendar": CalendarPage,
  "/audit": AuditPage,
  "/approvals": ApprovalsPage,
  "/operators": OperatorsPage,
};

/** The page at `path`: a loan's (`loan` is its id as written in the path), one this session may open, or none. */
function CurrentPage({ path, loan, session }: { path: string; loan: string | undefined; session: Session }) {
  if (loan !== undefined) return <LoanPage id={decodeURIComponent(loan)} />;
  const Page = navFor(session).some((n) => n.href === path) ? PAGES[path] : undefined;
  if (Page) return <Page />;
  return (
    <p>
      No page here
      {PAGES[path]
        ? ` for ${session.kind === "apiKey" ? "an API key: sign in with an operator token" : "your role"}`
        : ""}
      .{" "}
      <a href="/" onClick={onLink}>
        Go to the pipeline
      </a>
      .
    </p>
  );
}

/** The console once a key is accepted: who it belongs to first, then the pages that key may see. */
function Signed({ error, onSignOut }: { error: unknown; onSignOut: () => void }) {
  const { path } = useLocation();
  const who = useLoad(whoAmI, []);
  if (!who.data && !who.error) return <Loading what="who you are" />;
  const session: Session = who.data ?? { kind: "apiKey" };
  const loan = /^\/loans\/([^/]+)$/.exec(path);
  const current = (href: string) => (href === "/" ? path === "/" || !!loan : path.startsWith(href));
  return (
    <SessionProvider value={session}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <TopBar session={session} current={current} onSignOut={onSignOut} />
      <main id="main">
        <ErrorBox error={error} title="The services could not be reached" />
        <ErrorBox error={who.error} title="Who you are could not be read" />
        <CurrentPage path={path} loan={loan?.[1]} session={session} />
      </main>
    </SessionProvider>
  );
}

function App() {
  const { gate, setGate, error } = useGate();
  if (gate === "probing") return <Loading what="the console" />;
  if (gate === "key" || gate === "refused")
    return <KeyForm refused={gate === "refused"} onDone={() => setGate("ok")} />;
  const signOut = () => {
    token.clear();
    setGate("key");
  };
  return <Signed error={error} onSignOut={signOut} />;
}

render(<App />, document.getElementById("app")!);
