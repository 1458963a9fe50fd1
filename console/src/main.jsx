// hookbox's web console. Everything a function produced (its name, console
// lines, errors, results) is rendered as text by Preact, never as HTML.

import { render } from "preact";
import { useEffect, useState } from "preact/hooks";
import { onSession, session, signedIn, signIn, signOut } from "./api.js";
import * as unsaved from "./unsaved.js";
import { Scenes } from "./scenes.jsx";
import { FunctionPage } from "./function.jsx";
import { Settings } from "./settings.jsx";
import "./style.css";

/** The page's route; leaving a page with unsaved editor work asks first. */
function useHash() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    let current = location.hash;
    const f = () => {
      if (location.hash === current) return;
      if (unsaved.any() && !confirm("Leave this page? Your unsaved changes will be lost.")) {
        history.replaceState(null, "", current || "#/");
        return;
      }
      unsaved.dropAll();
      current = location.hash;
      setHash(location.hash);
    };
    addEventListener("hashchange", f);
    return () => removeEventListener("hashchange", f);
  }, []);
  return hash;
}

function SignIn() {
  const [id, setId] = useState("");
  const [secret, setSecret] = useState("");
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(id.trim(), secret.trim());
    } catch (err) {
      setError(err.message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="signin">
      <h1>hookbox</h1>
      <form onSubmit={submit}>
        <p>Sign in with a key pair (as <code>make run</code> prints it, or from <code>POST /v1/keys</code>).</p>
        <label>
          Access key id
          <input name="accessKeyId" autocomplete="username" value={id} onInput={(e) => setId(e.currentTarget.value)} required />
        </label>
        <label>
          Access key secret
          <input
            name="accessKeySecret"
            type="password"
            autocomplete="current-password"
            value={secret}
            onInput={(e) => setSecret(e.currentTarget.value)}
            required
          />
        </label>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
        {error && <p role="alert" class="error">{error}</p>}
        <p class="hint">The token lives in this tab only and is forgotten when the tab closes.</p>
      </form>
    </main>
  );
}

function Shell() {
  const hash = useHash();
  const who = session();
  let page;
  let m;
  if ((m = /^#\/functions\/([^/?]+)/.exec(hash))) page = <FunctionPage key={m[1]} funcId={decodeURIComponent(m[1])} />;
  else if ((m = /^#\/new(?:\?scene=([^&]*))?/.exec(hash))) page = <FunctionPage key="new" scene={decodeURIComponent(m[1] || "")} />;
  else if (hash.startsWith("#/settings")) page = <Settings />;
  else page = <Scenes />;
  return (
    <>
      <header>
        <a class="brand" href="#/">
          hookbox
        </a>
        <nav>
          <a href="#/" aria-current={!hash.startsWith("#/settings") ? "page" : undefined}>
            Functions
          </a>
          <a href="#/settings" aria-current={hash.startsWith("#/settings") ? "page" : undefined}>
            Settings
          </a>
        </nav>
        <span class="who">
          {who && (
            <>
              tenant <b>{who.tenant}</b> · {who.role}
            </>
          )}
        </span>
        <button class="link" onClick={signOut}>
          Sign out
        </button>
      </header>
      {page}
    </>
  );
}

function App() {
  const [inside, setInside] = useState(signedIn());
  useEffect(() => onSession(setInside), []);
  return inside ? <Shell /> : <SignIn />;
}

render(<App />, document.getElementById("app"));
