// The browser's evaluator gives every shared condition case the server's answer.
//
// tests/shared/condition_cases.json is also run against workflows/conditions.py
// (tests/workflows/test_condition_cases.py). Run by tests/test_javascript.py:
//   node --experimental-detect-module --test tests/js/
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { evaluate } from '../../static/js/conditions.js'

const shared = new URL('../shared/condition_cases.json', import.meta.url)
const { cases } = JSON.parse(readFileSync(shared, 'utf8'))

test('the list is not empty', () => {
  assert.ok(cases.length >= 60)
})

for (const { name, condition, types, answers, expected } of cases) {
  test(name, () => {
    const valueOf = (field) => (Object.hasOwn(answers, field) ? answers[field] : null)
    assert.equal(evaluate(condition, valueOf, types), expected)
  })
}
