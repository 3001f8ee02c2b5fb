// The browser reads every shared typed number as the server does (also run in Chromium by
// tests/e2e/test_numbers_js.py, and against workflows/numbers.py by tests/workflows).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { parseNumber } from '../../static/js/numbers.js'

const shared = new URL('../shared/number_cases.json', import.meta.url)
const { cases } = JSON.parse(readFileSync(shared, 'utf8'))

for (const item of cases) {
  test(JSON.stringify(item.input), () => {
    const result = parseNumber(item.input, { money: Boolean(item.money) })
    const wanted = 'value' in item
      ? { ok: true, value: item.value, number: Number(item.value) }
      : { ok: false, code: item.error }
    assert.deepEqual(result, wanted)
  })
}
