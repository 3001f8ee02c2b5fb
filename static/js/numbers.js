// The one reading of numbers people type, twin of workflows/numbers.py (same steps, same codes).
//
// El Salvador writes 1,250.50: the point is the decimal mark, the comma (or a space) groups
// thousands. Anything another convention reads differently (2,5 / 1.250,50 / 1.250) is refused,
// never guessed. tests/shared/number_cases.json is run against this module and the Python one.

export const MAX_DIGITS = 15
export const MAX_TEXT = 40
const SPACES = /[ \u00a0\u2007\u2009\u202f]/g
// The white space Python's str.strip() and its regular expressions' \s know (the server's
// reading): JavaScript's \s and trim() also take U+FEFF and miss U+001C-U+001F and U+0085.
const WHITE = '\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000'
const EDGES = new RegExp(`^[${WHITE}]+|[${WHITE}]+$`, 'g')

const PLAIN = /^(-?)([0-9]{1,3}(?:([, ])[0-9]{3})(?:\3[0-9]{3})*|[0-9]+)(?:\.([0-9]+))?$/
const DECIMAL_COMMA = /^-?[0-9. ]*[0-9],[0-9]+$/
const DOTTED_THOUSANDS = /^-?[0-9]{1,3}(?:\.[0-9]{3}){2,}$/
const DIGITS_AND_MARKS = /^-?[0-9., ]*[, ][0-9., ]*$/

// The text without the white space at its ends, as Python's str.strip() gives it.
export function strip (text) {
  return String(text).replace(EDGES, '')
}
function whyNot (body) {
  if (DECIMAL_COMMA.test(body) || DOTTED_THOUSANDS.test(body)) return 'number_ambiguous'
  if (DIGITS_AND_MARKS.test(body) && /[0-9]/.test(body)) return 'number_grouping'
  return 'not_a_number'
}

// Returns {ok: true, value: "1250.50", number: 1250.5} or {ok: false, code: "number_ambiguous"}.
export function parseNumber (text, { money = false } = {}) {
  let body = strip(text)
  if (money && body.startsWith('$')) body = strip(body.slice(1))
  if (body.length > MAX_TEXT) return { ok: false, code: 'number_too_long' }
  body = body.replace(SPACES, ' ')
  const match = PLAIN.exec(body)
  if (match === null) return { ok: false, code: whyNot(body) }
  let [, sign, whole, separator, decimals] = match
  decimals = decimals || ''
  if (separator === undefined && decimals.length === 3 && whole.length <= 3 && /[1-9]/.test(whole)) {
    // Money has at most two decimals: three after a point are a half cent, not thousands.
    return { ok: false, code: money ? 'money_half_cent' : 'number_ambiguous' }
  }
  const digits = whole.split(separator || ' ').join('').replace(/^0+/, '') || '0'
  if (digits.length + decimals.length > MAX_DIGITS) return { ok: false, code: 'number_too_long' }
  if (money && decimals.length > 2) return { ok: false, code: 'money_half_cent' }
  if (!/[1-9]/.test(digits + decimals)) sign = ''
  const value = decimals ? `${sign}${digits}.${decimals}` : `${sign}${digits}`
  return { ok: true, value, number: Number(value) }
}
