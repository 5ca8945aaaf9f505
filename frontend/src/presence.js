/* Who else has the document open, and where: "In this document: Ana (Section 'Civic space'), Ben". */
import { t } from "./strings.js";

/** The text of the presence line; `titleOf(room)` is a room's section title (or null). */
export function presenceText(people, myId, titleOf) {
  const seen = new Map();
  for (const person of people || []) {
    if (!person || person.id === undefined || String(person.id) === String(myId)) continue;
    const known = seen.get(String(person.id));
    if (!known || (person.room && !known.room)) seen.set(String(person.id), person);
  }
  if (!seen.size) return t("presence_alone");
  const parts = Array.from(seen.values()).map((person) => {
    const name = String(person.name || "");
    const title = person.room ? titleOf(person.room) : null;
    return title ? t("presence_in", { name, section: title }) : name;
  });
  return t("presence", { people: parts.join(t("presence_separator")) });
}
