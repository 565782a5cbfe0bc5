/**
 * One JSON array, an element per line as `items` yields them: the whole document is never held in
 * memory, and a reader that parses it at once still gets plain JSON.
 */
export async function* jsonArrayChunks(items: AsyncIterable<unknown>): AsyncGenerator<string> {
  let first = true;
  yield '[';
  for await (const item of items) {
    yield `${first ? '\n' : ',\n'}${JSON.stringify(item)}`;
    first = false;
  }
  yield first ? ']\n' : '\n]\n';
}
