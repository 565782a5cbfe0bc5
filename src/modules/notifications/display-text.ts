/**
 * Names that people chose (a tenant's name, a member's name, a form's title), as an email shows them
 * to someone who did not choose them: an invitee, or whoever's address was typed into a sign-up. Such
 * an email comes from this product's domain, so a name must not turn it into someone else's message:
 *
 * - control and invisible characters go (line breaks, tabs, zero-width and bidirectional controls that
 *   would reorder what is read), and runs of spaces become one;
 * - at most `MAX_DISPLAY_LENGTH` characters are shown, then `…`;
 * - text that reads as a link is defanged so no mail client turns it into one: in a word holding
 *   `://`, an `@`, `www.` or a dot before two letters (`evil.example`), every dot becomes `[.]` and
 *   `://` becomes `[:]//`. The name stays readable, but only links the product built are links.
 *
 * Full-width and other look-alike forms are folded first (Unicode NFKC), so `ｅｖｉｌ．ｅｘａｍｐｌｅ` is
 * caught like `evil.example`. The stored names are not changed: this is how emails show them.
 */
export const MAX_DISPLAY_LENGTH = 80;

const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
/** The dots browsers accept between the labels of a host name. */
const DOT_LOOK_ALIKES = /[\u3002\uff0e\uff61]/g;
const LINK_LIKE = /:\/\/|@|\bwww\.|[\p{L}\p{N}]\.\p{L}{2}/iu;

/** `maxLength`: the characters shown before `…` (an autoresponse shows longer answers than a name). */
export function displayText(value: unknown, maxLength = MAX_DISPLAY_LENGTH): string {
  if (value === null || value === undefined) return '';
  const plain = String(value)
    .normalize('NFKC')
    .replace(DOT_LOOK_ALIKES, '.')
    .replace(INVISIBLE, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const capped = [...plain].length > maxLength ? `${[...plain].slice(0, maxLength).join('')}…` : plain;
  return capped
    .split(' ')
    .map((word) => (LINK_LIKE.test(word) ? word.replaceAll('.', '[.]').replaceAll('://', '[:]//') : word))
    .join(' ');
}
