// Shows a question only when its condition holds (data-visible-if on its form group).
//
// The conditions are the definition's own trees (workflows/conditions.py): {field, op, value},
// {all: [...]}, {any: [...]}, {not: {...}}. The server applies the same rule when it checks
// what is required, so without JavaScript every question is simply shown. Numbers are read by
// numbers.js, the twin of the server's workflows/numbers.py: "1,250.50" is 1250.5 here as
// there, and "2,5" is no number on either side.

import { parseNumber } from './numbers.js'

function currentValue (form, field) {
  const inputs = Array.from(form.querySelectorAll(`[name="f_${field}"]`))
  if (inputs.length === 0) {
    return null
  }
  const first = inputs[0]
  if (first.type === 'radio') {
    const checked = inputs.find((input) => input.checked)
    return checked ? checked.value : null
  }
  if (first.type === 'checkbox') {
    return inputs.filter((input) => input.checked).map((input) => input.value)
  }
  return first.value.trim() === '' ? null : first.value.trim()
}

function normalise (value) {
  // Yes/no questions post "si"/"no"; definitions compare them with true/false.
  if (value === 'si') return true
  if (value === 'no') return false
  if (typeof value === 'string' && value !== '') {
    const number = parseNumber(value, { money: value.trim().startsWith('$') })
    if (number.ok) return number.number
  }
  return value
}

function compare (actual, op, expected) {
  const value = Array.isArray(actual) ? actual : normalise(actual)
  switch (op) {
    case 'present': return value !== null && !(Array.isArray(value) && value.length === 0)
    case 'absent': return value === null || (Array.isArray(value) && value.length === 0)
    case 'eq': return value === expected
    case 'ne': return value !== expected
    case 'lt': return value !== null && value < expected
    case 'le': return value !== null && value <= expected
    case 'gt': return value !== null && value > expected
    case 'ge': return value !== null && value >= expected
    case 'in': return Array.isArray(value)
      ? value.some((item) => expected.includes(item))
      : expected.includes(value)
    case 'not_in': return Array.isArray(value)
      ? !value.some((item) => expected.includes(item))
      : !expected.includes(value)
    default: return true // an operator we do not know: show the question
  }
}

export function holds (condition, form, valueOf = (field) => currentValue(form, field)) {
  if (condition.all) return condition.all.every((part) => holds(part, form, valueOf))
  if (condition.any) return condition.any.some((part) => holds(part, form, valueOf))
  if (condition.not) return !holds(condition.not, form, valueOf)
  return compare(valueOf(condition.field), condition.op, condition.value)
}

// Which questions are asked, as workflows.guards.asked_fields decides on the server: a
// question hanging from a hidden question is hidden too, and the answer of a hidden question
// counts as not given (the server drops it when the form is saved).
function askedQuestions (form, conditions) {
  const asked = new Map()
  const isAsked = (field, visiting) => {
    if (asked.has(field)) return asked.get(field)
    const condition = conditions.get(field)
    if (condition === undefined) return true
    const inside = new Set(visiting).add(field)
    const valueOf = (name) => (!inside.has(name) && isAsked(name, inside))
      ? currentValue(form, name)
      : null
    const result = holds(condition, form, valueOf)
    asked.set(field, result)
    return result
  }
  return isAsked
}

export function initConditionalForms (root = document) {
  root.querySelectorAll('form[data-module="app-conditional-form"]').forEach((form) => {
    const groups = Array.from(form.querySelectorAll('[data-visible-if]'))
      .map((group) => {
        const input = group.querySelector('[name^="f_"]')
        return {
          group,
          field: input ? input.name.slice(2) : null,
          condition: JSON.parse(group.dataset.visibleIf)
        }
      })
    const conditions = new Map(
      groups.filter(({ field }) => field !== null).map(({ field, condition }) => [field, condition])
    )
    const update = () => {
      const isAsked = askedQuestions(form, conditions)
      const valueOf = (name) => (isAsked(name, new Set()) ? currentValue(form, name) : null)
      groups.forEach(({ group, field, condition }) => {
        group.hidden = field !== null
          ? !isAsked(field, new Set())
          : !holds(condition, form, valueOf)
      })
    }
    form.addEventListener('change', update)
    form.addEventListener('input', update)
    update()
  })
}
