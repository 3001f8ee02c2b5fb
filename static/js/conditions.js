// Shows a question only when its condition holds (data-visible-if on its form group).
//
// The conditions are the definition's own trees (workflows/conditions.py): {field, op, value},
// {all: [...]}, {any: [...]}, {not: {...}}. This is the twin of the server's evaluator, rule for
// rule, and tests/shared/condition_cases.json is run against both (pytest and node --test):
// an answer is read by its field's type (numbers by numbers.js, so "1,500" is 1500 and "2,5" is
// no number; dates as YYYY-MM-DD or DD/MM/YYYY; yes/no from sí/si/yes/true/1/on and
// no/false/0/off; every other type as text, so the code "0614" is never the number 614), and an
// answer that cannot be read as its type counts as not given. Without JavaScript every question
// is simply shown; the server decides what is required the same way.

import { parseNumber, strip } from './numbers.js'

export const YES_WORDS = new Set(['true', '1', 'si', 'sí', 'yes', 'on'])
export const NO_WORDS = new Set(['false', '0', 'no', 'off'])
const ISO_DATE = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/
const SV_DATE = /^([0-9]{1,2})\/([0-9]{1,2})\/([0-9]{4})$/
// How a condition compares an answer, by the field's type; any other type compares as text.
const KINDS = new Map([
  ['number', 'number'],
  ['integer', 'number'],
  ['money', 'number'],
  ['area_m2', 'number'],
  ['date', 'date'],
  ['yes_no', 'yes_no']
])
const ORDERED = {
  lt: (a, b) => a < b,
  le: (a, b) => a <= b,
  gt: (a, b) => a > b,
  ge: (a, b) => a >= b
}

function isBlank (value) {
  if (value === null || value === undefined) return true
  if (typeof value === 'string') return strip(value) === ''
  if (Array.isArray(value)) return value.length === 0
  return false
}

export function readYesNo (value) {
  if (typeof value === 'boolean') return value
  const word = strip(value).toLowerCase()
  if (YES_WORDS.has(word)) return true
  if (NO_WORDS.has(word)) return false
  return null
}

function daysIn (year, month) {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
}

// Returns the date as "YYYY-MM-DD" (which orders as the dates do), or null.
export function readDate (value) {
  const text = strip(value)
  let year, month, day
  let match = ISO_DATE.exec(text)
  if (match !== null) {
    [, year, month, day] = match
  } else if ((match = SV_DATE.exec(text)) !== null) {
    [, day, month, year] = match
  } else {
    return null
  }
  [year, month, day] = [Number(year), Number(month), Number(day)]
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return null
  const pad = (number, width) => String(number).padStart(width, '0')
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`
}

function readNumber (value, { money = false, integer = false } = {}) {
  let number
  if (typeof value === 'boolean') return null
  if (typeof value === 'number') {
    number = value
  } else {
    const read = parseNumber(String(value), { money })
    if (!read.ok) return null
    number = read.number
  }
  if (!Number.isFinite(number) || (integer && !Number.isInteger(number))) return null
  return number
}

// An answer or a condition's value in the comparison's terms, or null.
function read (kind, value, options = {}) {
  // A list inside a list, or where a value should be, is no answer.
  if (isBlank(value) || typeof value === 'object') return null
  if (kind === 'yes_no') return readYesNo(value)
  if (kind === 'date') return readDate(value)
  if (kind === 'number') return readNumber(value, options)
  if (typeof value === 'boolean') return null
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : null
  return strip(value)
}

// The comparison of a field whose type is not given, from the condition's value.
function guess (expected) {
  if (Array.isArray(expected)) expected = expected.length > 0 ? expected[0] : null
  if (typeof expected === 'boolean') return 'yes_no'
  if (typeof expected === 'number') return 'number'
  if (ISO_DATE.test(String(expected))) return 'date'
  return 'text'
}

function comparison (kind, answers, op, expected) {
  if (op === 'in') {
    const wanted = expected.map((item) => read(kind, item))
    return answers.some((answer) => wanted.includes(answer))
  }
  const wanted = read(kind, expected)
  if (wanted === null) return false
  if (op === 'eq') return answers.includes(wanted)
  if ((kind !== 'number' && kind !== 'date') || !(op in ORDERED)) return false
  return answers.some((answer) => ORDERED[op](answer, wanted))
}

// Whether `condition` holds over the answers `valueOf(field)` gives (text, a list of checked
// values, or null), the fields' types given by `types` ({name: type}).
export function evaluate (condition, valueOf, types = {}) {
  if ('all' in condition) return condition.all.every((part) => evaluate(part, valueOf, types))
  if ('any' in condition) return condition.any.some((part) => evaluate(part, valueOf, types))
  if ('not' in condition) return !evaluate(condition.not, valueOf, types)
  const { field, op, value: expected } = condition
  const actual = valueOf(field)
  const type = Object.hasOwn(types, field) ? types[field] : null
  const kind = type === null ? guess(expected) : (KINDS.get(type) || 'text')
  const options = { money: type === 'money', integer: type === 'integer' }
  const answers = (Array.isArray(actual) ? actual : [actual])
    .map((item) => read(kind, item, options))
    .filter((answer) => answer !== null)
  if (op === 'present') return answers.length > 0
  if (op === 'absent') return answers.length === 0
  if (op === 'ne') return !comparison(kind, answers, 'eq', expected)
  if (op === 'not_in') return !comparison(kind, answers, 'in', expected)
  return comparison(kind, answers, op, expected)
}

const DATE_PARTS = ['day', 'month', 'year']

// Answers given on other steps of the form (data-answers, as saved): a condition on this page
// may hang from them.
function answeredElsewhere (form) {
  try {
    return JSON.parse(form.dataset.answers || '{}')
  } catch (error) {
    return {}
  }
}

function currentValue (form, field) {
  const inputs = Array.from(form.querySelectorAll(`[name="f_${field}"]`))
  if (inputs.length === 0) {
    // A date asked in three boxes reads as D/M/YYYY, as the server joins them.
    const boxes = DATE_PARTS.map((part) => form.querySelector(`[name="f_${field}-${part}"]`))
    if (boxes.every((box) => box !== null)) {
      const parts = boxes.map((box) => box.value.trim())
      return parts.some((part) => part !== '') ? parts.join('/') : null
    }
    const elsewhere = answeredElsewhere(form)
    return Object.hasOwn(elsewhere, field) ? elsewhere[field] : null
  }
  const first = inputs[0]
  if (first.type === 'radio') {
    const checked = inputs.find((input) => input.checked)
    return checked ? checked.value : null
  }
  if (first.type === 'checkbox') {
    return inputs.filter((input) => input.checked).map((input) => input.value)
  }
  return first.value
}

// Which questions are asked, as workflows.guards.asked_fields decides on the server: a
// question hanging from a hidden question is hidden too, and the answer of a hidden question
// counts as not given (the server drops it when the form is saved).
function askedQuestions (form, conditions, types) {
  const asked = new Map()
  const isAsked = (field, visiting) => {
    if (asked.has(field)) return asked.get(field)
    const condition = conditions.get(field)
    if (condition === undefined) return true
    const inside = new Set(visiting).add(field)
    const valueOf = (name) => (!inside.has(name) && isAsked(name, inside))
      ? currentValue(form, name)
      : null
    const result = evaluate(condition, valueOf, types)
    asked.set(field, result)
    return result
  }
  return isAsked
}

export function initConditionalForms (root = document) {
  root.querySelectorAll('form[data-module="app-conditional-form"]').forEach((form) => {
    // data-visible-if holds {when: condition, types: {field: type}} (forms.builder).
    const groups = Array.from(form.querySelectorAll('[data-visible-if]'))
      .map((group) => {
        const input = group.querySelector('[name^="f_"]')
        const rule = JSON.parse(group.dataset.visibleIf)
        const field = input ? input.name.slice(2).replace(/-(day|month|year)$/, '') : null
        return { group, field, condition: rule.when, types: rule.types }
      })
    const types = Object.assign({}, ...groups.map((group) => group.types))
    const conditions = new Map(
      groups.filter(({ field }) => field !== null).map(({ field, condition }) => [field, condition])
    )
    const update = () => {
      const isAsked = askedQuestions(form, conditions, types)
      const valueOf = (name) => (isAsked(name, new Set()) ? currentValue(form, name) : null)
      groups.forEach(({ group, field, condition }) => {
        group.hidden = field !== null
          ? !isAsked(field, new Set())
          : !evaluate(condition, valueOf, types)
      })
    }
    form.addEventListener('change', update)
    form.addEventListener('input', update)
    update()
  })
}
