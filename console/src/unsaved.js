// Editor work not saved yet: kept in the tab's sessionStorage while it is
// unsaved (so a reload, or a session that expired and was signed into again,
// brings it back), and guarded: leaving the page with it asks first.

const PREFIX = "hookbox.unsaved.";
const dirty = new Set();

/**
 * Records `text` as `key`'s unsaved work, made over `base` (the saved text),
 * or forgets it when `text` is null.
 */
export function keep(key, text, base) {
  if (text === null) {
    sessionStorage.removeItem(PREFIX + key);
    dirty.delete(key);
  } else {
    sessionStorage.setItem(PREFIX + key, JSON.stringify({ text, base }));
    dirty.add(key);
  }
}

/** `key`'s unsaved work, if it was made over `base` (what is saved now). */
export function restore(key, base) {
  const raw = sessionStorage.getItem(PREFIX + key);
  if (!raw) return null;
  try {
    const kept = JSON.parse(raw);
    if (kept.base === base && typeof kept.text === "string") {
      dirty.add(key);
      return kept.text;
    }
  } catch {
    // Not ours: dropped below.
  }
  sessionStorage.removeItem(PREFIX + key);
  return null;
}

/** Whether anything on the page is unsaved. */
export function any() {
  return dirty.size > 0;
}

/** Forgets every unsaved edit (the person chose to leave them). */
export function dropAll() {
  for (const key of dirty) sessionStorage.removeItem(PREFIX + key);
  dirty.clear();
}

addEventListener("beforeunload", (e) => {
  if (any()) e.preventDefault();
});
