// Every scene with its functions in run order: enable or disable them, and
// reorder them by drag and drop or by keyboard (Alt+↑/↓ on a focused row, or
// its move buttons). A new order is saved at once (PUT /v1/scenes/{scene}/order).

import { useEffect, useState } from "preact/hooks";
import { call, enc } from "./api.js";
import { Feedback, SCENES, Status, visible } from "./common.jsx";

export function Scenes() {
  const [functions, setFunctions] = useState(null);
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState(null);
  const load = async () => {
    try {
      const data = await call("GET", "/v1/functions");
      setFunctions(data.list);
      setError(null);
    } catch (e) {
      setError(e.message);
    }
  };
  useEffect(() => {
    load();
  }, []);

  const byScene = new Map();
  for (const f of functions || []) {
    if (!byScene.has(f.scene)) byScene.set(f.scene, []);
    byScene.get(f.scene).push(f);
  }
  const scenes = [...SCENES.filter((s) => byScene.has(s)), ...[...byScene.keys()].filter((s) => !SCENES.includes(s))];

  const reorder = async (scene, order) => {
    const before = functions;
    const byId = new Map(functions.map((f) => [f.funcId, f]));
    let next = 0;
    setFunctions(functions.map((f) => (f.scene === scene ? byId.get(order[next++]) : f)));
    try {
      await call("PUT", `/v1/scenes/${enc(scene)}/order`, { order });
      setNotice(`Saved the order of ${scene}.`);
    } catch (e) {
      setFunctions(before);
      setError(e.message);
    }
  };
  const toggle = async (f) => {
    try {
      const updated = await call("PATCH", `/v1/functions/${enc(f.funcId)}`, { enabled: !f.enabled });
      setFunctions(functions.map((g) => (g.funcId === f.funcId ? updated : g)));
      setNotice(`${updated.funcName} is ${updated.enabled ? "enabled" : "disabled"}.`);
    } catch (e) {
      setError(e.message);
    }
  };

  return (
    <main>
      <div class="toolbar">
        <h1>Functions</h1>
        <NewFunction />
      </div>
      <Feedback error={error} />
      <p class="notice" role="status">
        {notice}
      </p>
      {functions && functions.length === 0 && <p>No functions yet. Create one to run at a stage of login or registration.</p>}
      {scenes.map((scene) => (
        <SceneList key={scene} scene={scene} list={byScene.get(scene)} onReorder={reorder} onToggle={toggle} />
      ))}
    </main>
  );
}

function NewFunction() {
  const [scene, setScene] = useState(SCENES[0]);
  return (
    <form
      class="inline"
      onSubmit={(e) => {
        e.preventDefault();
        location.hash = `#/new?scene=${enc(scene)}`;
      }}
    >
      <label>
        Scene{" "}
        <select value={scene} onChange={(e) => setScene(e.currentTarget.value)}>
          {SCENES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <button type="submit">New function</button>
    </form>
  );
}

function SceneList({ scene, list, onReorder, onToggle }) {
  const [dragging, setDragging] = useState(null);
  const [over, setOver] = useState(null);
  const ids = list.map((f) => f.funcId);
  const move = (from, to) => {
    if (to < 0 || to >= ids.length || from === to) return;
    const order = [...ids];
    const [id] = order.splice(from, 1);
    order.splice(to, 0, id);
    onReorder(scene, order);
    // Keep the keyboard on the moved row.
    requestAnimationFrame(() => document.querySelector(`[data-func-id="${CSS.escape(id)}"]`)?.focus());
  };
  return (
    <section class="scene" aria-label={`scene ${scene}`}>
      <h2>
        {scene} <span class="count">{list.length}</span>
      </h2>
      <ol class="functions" data-scene={scene}>
        {list.map((f, i) => (
          <li
            key={f.funcId}
            data-func-id={f.funcId}
            tabIndex={0}
            draggable
            class={[dragging === i && "dragging", over === i && "over"].filter(Boolean).join(" ")}
            aria-label={`${i + 1}. ${f.funcName}`}
            onDragStart={(e) => {
              setDragging(i);
              e.dataTransfer.effectAllowed = "move";
              e.dataTransfer.setData("text/plain", f.funcId);
            }}
            onDragOver={(e) => {
              if (dragging === null) return;
              e.preventDefault();
              setOver(i);
            }}
            onDragLeave={() => setOver(null)}
            onDrop={(e) => {
              e.preventDefault();
              const from = dragging;
              setDragging(null);
              setOver(null);
              if (from !== null) move(from, i);
            }}
            onDragEnd={() => {
              setDragging(null);
              setOver(null);
            }}
            onKeyDown={(e) => {
              if (e.target !== e.currentTarget) return;
              if (e.altKey && e.key === "ArrowUp") {
                e.preventDefault();
                move(i, i - 1);
              } else if (e.altKey && e.key === "ArrowDown") {
                e.preventDefault();
                move(i, i + 1);
              } else if (e.key === "Enter") {
                location.hash = `#/functions/${enc(f.funcId)}`;
              }
            }}
          >
            <span class="grip" aria-hidden="true">
              ⠿
            </span>
            <span class="position">{i + 1}</span>
            <a class="name" href={`#/functions/${enc(f.funcId)}`}>
              {visible(f.funcName)}
            </a>
            <Status fn={f} />
            <span class="meta">
              v{f.deployedVersion}
              {f.draftVersion ? ` · draft v${f.draftVersion}` : ""}
              {f.gradual ? ` · v${f.gradual.version} at ${f.gradual.percent}%` : ""}
              {f.isAsynchronous ? " · async" : ""}
            </span>
            <label class="switch">
              <input type="checkbox" checked={f.enabled} onChange={() => onToggle(f)} aria-label={`enable ${f.funcName}`} />
              {f.enabled ? "enabled" : "disabled"}
            </label>
            <span class="moves">
              <button class="icon" aria-label={`move ${f.funcName} up`} disabled={i === 0} onClick={() => move(i, i - 1)}>
                ↑
              </button>
              <button
                class="icon"
                aria-label={`move ${f.funcName} down`}
                disabled={i === list.length - 1}
                onClick={() => move(i, i + 1)}
              >
                ↓
              </button>
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}
