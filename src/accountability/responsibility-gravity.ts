// How grave a documented violation is, for ranking officials by documented responsibility (the
// sanctions gap table). A documented table rather than a vocabulary column: organisations rename
// and add violation types, and a ranking that moved whenever a label was edited would not be one
// an advocate could defend. Terms not listed weigh 1. An incident weighs as its gravest violation;
// a detention weighs as arbitrary detention.

export const VIOLATION_GRAVITY: Readonly<Record<string, number>> = {
  killing: 5,
  "extrajudicial-execution": 5,
  "death-in-custody": 5,
  "enforced-disappearance": 4,
  torture: 4,
  "sexual-violence": 4,
  "forced-sterilisation": 4,
  "arbitrary-detention": 3,
  "arbitrary-arrest": 3,
  "ill-treatment": 3,
  "forced-labour": 3,
  "family-separation": 2,
  "religious-persecution": 2,
  "forced-indoctrination": 2,
  "transnational-repression": 2,
  "destruction-of-sites": 2,
  "harassment-of-relatives": 1,
  "confiscation-of-property": 1,
  surveillance: 1,
  "restriction-of-movement": 1,
  other: 1,
};

export const DETENTION_GRAVITY = VIOLATION_GRAVITY["arbitrary-detention"]!;

export function gravityOf(violations: readonly string[]): number {
  return violations.reduce((max, v) => Math.max(max, VIOLATION_GRAVITY[v] ?? 1), 1);
}
