/* The addresses a link may have (PROTOCOL.md, submissions/richtext.py): http, https and mailto. */
export const SAFE_URL = /^(https?:\/\/|mailto:)\S/i;

/** What a person types as a link's address, made an absolute http(s) or mailto URL, or null. */
export function normaliseUrl(value) {
  let url = String(value || "").trim();
  if (!url) return null;
  if (/^[^\s@/:]+@[^\s@/]+\.[^\s@/]+$/.test(url)) url = "mailto:" + url;
  else if (!/^[a-z][a-z0-9+.-]*:/i.test(url) && /^[\w-]+(\.[\w-]+)+([/?#:].*)?$/.test(url)) url = "https://" + url;
  return SAFE_URL.test(url) ? url : null;
}
