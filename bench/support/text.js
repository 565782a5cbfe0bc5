// Shared by the benchmarks that build field values: reproducible text, so two runs time the same input.

/** Deterministic pseudo-random text of `length` characters over `alphabet` (a linear congruential generator). */
export function randomText(alphabet, length, seed = 12345) {
  const letters = [...alphabet];
  let state = seed;
  let text = '';
  while (text.length < length) {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    text += letters[(state >> 8) % letters.length];
  }
  return text.slice(0, length);
}
